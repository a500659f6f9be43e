import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { CgerError, errorMessage } from '../common/errors.ts';
import { createProgress } from '../common/progress.ts';
import { version as cgerVersion } from '../common/version.ts';
import type { ZoneEngine, openZones } from '../zonal/index.ts';
import { defaultHttpOptions, downloadToPart, type HttpOptions } from './http.ts';
import { md5File } from './layout.ts';
import { acquireLock } from './lock.ts';
import { buildOutputs, removeStaleTemps, writeOutputs, OUTPUT_FILES, type IngestReport, type MonthProblem } from './outputs.ts';
import { discover, type MonthFile, type ReleaseListing } from './source.ts';
import { Store, type FileRecord, type ZoneSetRecord } from './store.ts';

/** Zones + outside must equal the grid total within this relative difference, or the month fails. */
export const MASS_AUDIT_TOLERANCE = 1e-9;

export interface IngestOptions {
  /** Directory holding odiac<REL>/ trees, or an http(s) base URL serving the same tree. */
  source: string;
  releases: 'latest' | string[];
  years: number[] | null;
  zones: { path: string; idField: string; nameField?: string; method: 'exact' | 'center' };
  dbPath: string;
  outDir: string;
  /** Where HTTP downloads are kept: <downloadDir>/<REL>/<YYYY>/. */
  downloadDir: string;
  /** Files summed at once (each with its share of the decoding threads). */
  concurrency: number;
  /** Decoding threads per file; default: the cores divided by `concurrency`. */
  threads?: number;
  wait: boolean;
  allowPartialYear: boolean;
  /** No progress or notes on stderr. */
  quiet: boolean;
  http?: Partial<HttpOptions>;
  /** Lock timings (tests shorten them). */
  lock?: { pollMs?: number };
}

/** The zonal engine's entry point, passed in so this stage stays a pure orchestrator of it. */
export type OpenZones = typeof openZones;

export interface IngestSummary {
  runId: number;
  release: string;
  zonesHash: string;
  processed: number;
  skipped: number;
  failed: MonthProblem[];
  missing: MonthProblem[];
  notes: string[];
  outputs: { dir: string; changed: string[] };
  bytes: number;
  seconds: number;
  /** 0 all done (or nothing new), 2 some months failed. Hard errors throw CgerError instead. */
  exitCode: 0 | 2;
  report: IngestReport;
}

/** A month that could not be used; `status` quarantined for an md5 mismatch. */
class MonthFailure extends Error {
  constructor(message: string, readonly status: 'failed' | 'quarantined', readonly md5Actual: string | null = null, readonly path: string | null = null) {
    super(message);
  }
}

interface Acquired { path: string; size: number; fetchMs: number | null; verifyMs: number }

const monthLabel = (f: { year: number; month: number }) => `${f.year}-${String(f.month).padStart(2, '0')}`;

function md5Mismatch(file: MonthFile, actual: string, where: string): MonthFailure {
  return new MonthFailure(
    `md5 mismatch for ${file.name} (${where}): the checksum list says ${file.md5}, the file has ${actual}`, 'quarantined', actual, where,
  );
}

/** Moves a bad download aside so the next run fetches it afresh; returns where it went. */
function quarantine(path: string, downloadDir: string, file: MonthFile): string {
  const target = join(downloadDir, 'quarantine', file.release, file.name);
  mkdirSync(dirname(target), { recursive: true });
  renameSync(path, target);
  return target;
}

export async function runIngest(opts: IngestOptions, engineOpener: OpenZones): Promise<IngestSummary> {
  const started = Date.now();
  const http: HttpOptions = { ...defaultHttpOptions, ...opts.http };
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const threads = opts.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const say = (m: string) => { if (!opts.quiet) process.stderr.write(`${m}\n`); };
  // Failed and missing months reach stderr even with --quiet, so cron mails them.
  const warn = (m: string) => { process.stderr.write(`${m}\n`); };

  const store = new Store(opts.dbPath);
  let lock: Awaited<ReturnType<typeof acquireLock>> | undefined;
  let runId: number | undefined;
  try {
    lock = await acquireLock(store, { wait: opts.wait, pollMs: opts.lock?.pollMs, onWaiting: say });
    const thisRun = store.startRun(opts.source, { ...opts, http }, cgerVersion);
    runId = thisRun;
    lock.setRunId(thisRun);
    removeStaleTemps(opts.outDir);

    const discovery = await discover(opts.source, { releases: opts.releases, years: opts.years, http, onRetry: (m) => say(`ingest: ${m}`) });
    for (const note of discovery.notes) say(`ingest: ${note}`);
    if (discovery.releases.length === 0) {
      const asked = opts.releases === 'latest' ? 'no release' : `none of the releases ${opts.releases.join(', ')}`;
      throw new CgerError(`${asked} found at ${opts.source}${opts.years ? ` for years ${opts.years[0]}-${opts.years[opts.years.length - 1]}` : ''}`);
    }
    for (const r of discovery.releases) store.noteRelease(r.release, discovery.root, thisRun);

    const engine: ZoneEngine = await engineOpener(opts.zones.path, {
      idField: opts.zones.idField, nameField: opts.zones.nameField, method: opts.zones.method,
      cacheDir: join(dirname(opts.dbPath), 'cache'), onWarning: (m) => say(`ingest: ${m}`),
    });
    const zoneSet = store.zoneSet(engine.hash, engine.method, opts.zones.path, engine.zones);

    // Plan: a month is skipped when it is done with the md5 its checksum list names now.
    const todo: MonthFile[] = [];
    let skipped = 0;
    for (const listing of discovery.releases) {
      for (const file of listing.files) {
        const prior = store.fileStatus(file.release, file.year, file.month, zoneSet.id);
        if (prior?.status === 'done' && (file.md5 === prior.md5 || (file.md5 === null && file.problem !== null))) {
          if (file.md5 !== prior.md5) say(`ingest: ${file.release} ${monthLabel(file)} kept as ingested earlier: ${file.problem}`);
          skipped++;
        } else todo.push(file);
      }
    }

    const processed = { done: 0, failed: 0, bytes: 0 };
    const progress = createProgress({ label: 'ingest', total: todo.length, unit: 'months', quiet: opts.quiet || todo.length === 0 });
    const acquireLimit = pLimit(Math.max(2, concurrency));
    const sumLimit = pLimit(concurrency);
    const sumStarted = Date.now();

    const processMonth = async (file: MonthFile): Promise<void> => {
      const record: FileRecord = {
        release: file.release, year: file.year, month: file.month, zoneSetId: zoneSet.id, name: file.name,
        source: file.location, path: null, size: null, md5: file.md5 ?? '', md5Actual: null, status: 'failed', error: null,
        grid: null, nodata: null, cgerVersion, runId: thisRun, fetchMs: null, verifyMs: null, sumMs: null,
      };
      try {
        if (file.problem) throw new MonthFailure(file.problem, 'failed');
        const sumMonth = async (got: Acquired) => {
          Object.assign(record, { path: got.path, size: got.size, md5Actual: file.md5, fetchMs: got.fetchMs, verifyMs: got.verifyMs });
          const t0 = performance.now();
          const sums = await engine.sumRaster(got.path, { fullGrid: true, requireOdiacLattice: true, threads, onNotice: (m) => progress.log(`ingest: ${m}`) });
          record.sumMs = performance.now() - t0;
          record.grid = JSON.stringify(sums.grid);
          record.nodata = sums.nodata;
          const audit = massAudit(sums.zones.map((z) => z.sum), sums.outside!, sums.gridTotal!); // set: fullGrid
          if (audit.relError > MASS_AUDIT_TOLERANCE || !Number.isFinite(audit.relError)) {
            throw new MonthFailure(
              `mass audit failed for ${file.name}: zones ${audit.zonesTotal} + outside ${audit.outside} != grid total ${audit.gridTotal} ` +
              `(relative difference ${audit.relError.toExponential(2)} > ${MASS_AUDIT_TOLERANCE})`, 'failed', null, got.path,
            );
          }
          sums.zones.forEach((z, i) => {
            if (z.id !== engine.zones[i]?.id) throw new Error(`zone ${i} is ${z.id} in the sums but ${engine.zones[i]?.id} in the zone set`);
          });
          store.commitMonth({ ...record, status: 'done' }, sums.zones.map((z) => ({ zoneId: z.id, sum: z.sum, coverage: z.coverage, cells: z.cells })), audit);
          processed.done++;
          processed.bytes += got.size;
        };
        // Downloads run ahead of the summing. A local file's md5 is checked just before it is
        // summed: checking ahead only competed with decoding for the cores (bench:ingest on
        // 2 cores: 180 s ahead vs 172 s in turn for 12 full-size months).
        if (discovery.kind === 'dir') await sumLimit(async () => sumMonth(await verifyLocal(file)));
        else {
          const got = await acquireLimit(() => fetchRemote(file, opts.downloadDir, http, (m) => progress.log(`ingest: ${m}`)));
          await sumLimit(() => sumMonth(got));
        }
      } catch (err) {
        const failure = err instanceof MonthFailure ? err : new MonthFailure(errorMessage(err), 'failed');
        record.status = failure.status;
        record.error = failure.message;
        record.md5Actual = failure.md5Actual ?? record.md5Actual;
        record.path = failure.path ?? record.path;
        store.failMonth({ ...record, status: failure.status });
        processed.failed++;
        progress.log(`ingest: ${file.release} ${monthLabel(file)} failed: ${failure.message}`);
      }
      const elapsed = (Date.now() - sumStarted) / 1000;
      const finished = processed.done + processed.failed;
      const rate = `${(processed.bytes / 1e6 / Math.max(elapsed, 1e-3)).toFixed(1)} MB/s`;
      const eta = !process.stderr.isTTY && finished < todo.length ? `, ETA ${Math.round((elapsed / finished) * (todo.length - finished))} s` : '';
      progress.tick(1, `${file.release} ${monthLabel(file)}, ${rate}${eta}`);
    };

    const firstLocal = discovery.kind === 'dir' ? todo.find((f) => !f.problem) : undefined;
    if (firstLocal) await engine.checkTouches(firstLocal.location);
    await Promise.all(todo.map(processMonth));
    progress.stop();

    // Outputs are rebuilt from the store for the newest release, so a rerun after a kill restores them.
    const selected = discovery.releases[discovery.releases.length - 1];
    const years = outputYears(store, selected, zoneSet, opts.years);
    const built = buildOutputs(store, {
      release: selected.release, zoneSet, years, missing: missingMonths(selected, years),
      allowPartialYear: opts.allowPartialYear, cgerVersion,
    });
    const changed = writeOutputs(opts.outDir, built);
    const failedNow = built.report.failed;
    for (const f of failedNow) warn(`ingest: FAILED ${f.release} ${monthLabel(f)} ${f.file}: ${f.error}`);
    const missing = built.report.missing;
    if (missing.length > 0) warn(`ingest: ${missing.length} month(s) of release ${selected.release} not offered by the source: ${missing.map(monthLabel).join(', ')}`);
    const partial = built.report.years.filter((y) => !y.complete && y.months_done > 0);
    if (partial.length > 0 && !opts.allowPartialYear) {
      say(`ingest: incomplete years left out of ${OUTPUT_FILES.year}: ${partial.map((y) => `${y.year} (${y.months_done}/12)`).join(', ')}`);
    }

    const exitCode = processed.failed > 0 || failedNow.length > 0 ? 2 : 0;
    store.finishRun(thisRun, exitCode === 0 ? 'done' : 'partial', { processed: processed.done, skipped, failed: processed.failed });
    return {
      runId: thisRun, release: selected.release, zonesHash: zoneSet.hash, processed: processed.done, skipped,
      failed: failedNow, missing, notes: discovery.notes, outputs: { dir: opts.outDir, changed },
      bytes: processed.bytes, seconds: (Date.now() - started) / 1000, exitCode, report: built.report,
    };
  } catch (err) {
    if (runId !== undefined) store.finishRun(runId, 'error', { processed: 0, skipped: 0, failed: 0 });
    throw err;
  } finally {
    lock?.release();
    store.close();
  }
}

export function massAudit(zoneSums: number[], outside: number, gridTotal: number) {
  let zonesTotal = 0;
  for (const s of zoneSums) zonesTotal += s;
  const diff = Math.abs(zonesTotal + outside - gridTotal);
  const relError = gridTotal !== 0 ? diff / Math.abs(gridTotal) : diff;
  return { gridTotal, zonesTotal, outside, relError };
}

/** Years the outputs cover: --years, else every year the source lists or the store holds for the release. */
function outputYears(store: Store, listing: ReleaseListing, zoneSet: ZoneSetRecord, years: number[] | null): number[] {
  if (years) return years;
  const stored = store.db.prepare(`SELECT DISTINCT year FROM files WHERE release = ? AND zone_set_id = ?`).pluck()
    .all(listing.release, zoneSet.id) as number[];
  return [...new Set([...listing.years, ...stored])].sort((a, b) => a - b);
}

function missingMonths(listing: ReleaseListing, years: number[]): MonthProblem[] {
  const offered = new Set(listing.files.map((f) => f.year * 100 + f.month));
  const missing: MonthProblem[] = [];
  for (const year of years) {
    for (let month = 1; month <= 12; month++) {
      if (offered.has(year * 100 + month)) continue;
      missing.push({
        release: listing.release, year, month, file: null, status: 'missing',
        error: listing.years.includes(year) ? 'not in the checksum list' : `no ${year} checksum list at the source`,
      });
    }
  }
  return missing;
}

async function verifyLocal(file: MonthFile): Promise<Acquired> {
  const t0 = performance.now();
  const actual = await md5File(file.location);
  if (actual !== file.md5) throw md5Mismatch(file, actual, file.location);
  return { path: file.location, size: statSync(file.location).size, fetchMs: null, verifyMs: performance.now() - t0 };
}

/**
 * Brings a remote month to <downloadDir>/<REL>/<YYYY>/<name>: an existing verified copy is used
 * as is; otherwise it is downloaded to `<name>.part` (resuming an interrupted part), verified,
 * and renamed. A resumed download that fails its md5 is fetched once more from scratch.
 */
async function fetchRemote(file: MonthFile, downloadDir: string, http: HttpOptions, log: (m: string) => void): Promise<Acquired> {
  const dest = join(downloadDir, file.release, String(file.year), file.name);
  const part = `${dest}.part`;
  mkdirSync(dirname(dest), { recursive: true });
  let verifyMs = 0;
  const timedMd5 = async (path: string) => {
    const t0 = performance.now();
    const md5 = await md5File(path);
    verifyMs += performance.now() - t0;
    return md5;
  };
  if (existsSync(dest)) {
    const actual = await timedMd5(dest);
    if (actual === file.md5) return { path: dest, size: statSync(dest).size, fetchMs: 0, verifyMs };
    log(`${dest} does not match its md5 (${actual}); moved to ${quarantine(dest, downloadDir, file)}, downloading again`);
  }
  const t0 = performance.now();
  for (let fresh = false; ; fresh = true) {
    let resumed: boolean;
    try {
      ({ resumed } = await downloadToPart(file.location, part, http, { onRetry: log }));
    } catch (err) {
      throw new MonthFailure(`download failed: ${errorMessage(err)}`, 'failed', null, null);
    }
    const actual = await timedMd5(part);
    if (actual === file.md5) break;
    if (resumed && !fresh) {
      log(`${file.name}: resumed download does not match its md5; downloading it again from the start`);
      rmSync(part, { force: true });
      continue;
    }
    const moved = quarantine(part, downloadDir, file);
    throw md5Mismatch(file, actual, `${file.location}, kept as ${moved}`);
  }
  renameSync(part, dest);
  return { path: dest, size: statSync(dest).size, fetchMs: performance.now() - t0 - verifyMs, verifyMs };
}

