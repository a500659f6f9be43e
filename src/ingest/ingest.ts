import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { CgerError } from '../common/errors.ts';
import { createProgress } from '../common/progress.ts';
import { version as cgerVersion } from '../common/version.ts';
import type { ZoneEngine, openZones } from '../zonal/index.ts';
import { defaultHttpOptions, type HttpOptions } from './http.ts';
import { acquireLock } from './lock.ts';
import { processMonth } from './month.ts';
import { buildOutputs, removeStaleTemps, writeOutputs, OUTPUT_FILES, type IngestReport, type MonthProblem } from './outputs.ts';
import { missingMonths, monthLabel, offeredMonths, outputYears, planMonths } from './plan.ts';
import { discover, type MonthFile } from './source.ts';
import { Store } from './store.ts';

export interface IngestOptions {
  /** Directory holding odiac<REL>/ trees, or an http(s) base URL serving the same tree. */
  source: string;
  releases: 'latest' | string[];
  years: number[] | null;
  zones: { path: string; idField: string; nameField: string; method: 'exact' | 'center' };
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

    const { todo, skipped } = await planMonths(store, discovery.releases, zoneSet.id, (m) => say(`ingest: ${m}`));

    const processed = { done: 0, failed: 0, bytes: 0 };
    const progress = createProgress({ label: 'ingest', total: todo.length, unit: 'months', quiet: opts.quiet || todo.length === 0 });
    const acquireLimit = pLimit(Math.max(2, concurrency));
    const sumLimit = pLimit(concurrency);
    const sumStarted = Date.now();

    const schedule = { acquire: acquireLimit, sum: sumLimit };
    const ingestMonth = async (file: MonthFile): Promise<void> => {
      const outcome = await processMonth(file, {
        kind: discovery.kind, engine, zoneSetId: zoneSet.id, runId: thisRun, threads, downloadDir: opts.downloadDir, http,
        log: (m) => progress.log(`ingest: ${m}`), schedule,
      });
      if (outcome.status === 'done') {
        store.commitMonth(outcome.record, outcome.rows, outcome.audit);
        processed.done++;
        processed.bytes += outcome.bytes;
      } else {
        store.failMonth(outcome.record);
        processed.failed++;
        progress.log(`ingest: ${file.release} ${monthLabel(file)} failed: ${outcome.record.error}`);
      }
      const elapsed = (Date.now() - sumStarted) / 1000;
      const finished = processed.done + processed.failed;
      const rate = `${(processed.bytes / 1e6 / Math.max(elapsed, 1e-3)).toFixed(1)} MB/s`;
      const eta = !process.stderr.isTTY && finished < todo.length ? `, ETA ${Math.round((elapsed / finished) * (todo.length - finished))} s` : '';
      progress.tick(1, `${file.release} ${monthLabel(file)}, ${rate}${eta}`);
    };

    await Promise.all(todo.map(ingestMonth));
    progress.stop();

    // Outputs are rebuilt from the store for the newest release, so a rerun after a kill restores them.
    const selected = discovery.releases[discovery.releases.length - 1];
    const offered = offeredMonths(selected);
    const years = await outputYears(store, offered, zoneSet, opts.years);
    const built = await buildOutputs(store, {
      release: selected.release, zoneSet, years, missing: missingMonths(offered, years),
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

