import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { CgerError } from '../common/errors.ts';
import { createProgress } from '../common/progress.ts';
import { version as cgerVersion } from '../common/version.ts';
import { ODIAC_GLOBAL_GRID } from '../odiac/index.ts';
import type { openZones, ZoneEngine } from '../zonal/index.ts';
import { type Discovery, discover, type MonthFile } from './discover.ts';
import { defaultHttpOptions, type HttpOptions } from './http.ts';
import { acquireLock, type StoreLock } from './lock.ts';
import { type MonthContext, monthLabel, processMonth } from './month.ts';
import { type IngestReport, type MonthProblem, removeStaleTemps } from './outputs.ts';
import { offeredMonths, planMonths } from './plan.ts';
import { publishOutputs } from './publish.ts';
import { type MonthSource, openSource } from './sources/registry.ts';
import { connectStore, hostCacheDir } from './store.ts';

export { MASS_AUDIT_TOLERANCE, massAudit } from './audit.ts';

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

interface Say {
  say: (m: string) => void;
  warn: (m: string) => void;
}

/** Finds what the source offers; no release at all is an error. */
async function discoverReleases(source: MonthSource, opts: IngestOptions, { say }: Say): Promise<Discovery> {
  const discovery = await discover(source, { releases: opts.releases, years: opts.years });
  for (const note of discovery.notes) say(`ingest: ${note}`);
  if (discovery.releases.length === 0) {
    const asked = opts.releases === 'latest' ? 'no release' : `none of the releases ${opts.releases.join(', ')}`;
    throw new CgerError(`${asked} found at ${opts.source}${opts.years ? ` for years ${opts.years[0]}-${opts.years[opts.years.length - 1]}` : ''}`);
  }
  return discovery;
}

/** Processes the months (downloads ahead, `concurrency` sums at once) with progress; counts what was done. */
async function processMonths(todo: MonthFile[], ctx: Omit<MonthContext, 'fetchSlot' | 'sumSlot' | 'log'>, opts: IngestOptions, concurrency: number) {
  const counts = { done: 0, failed: 0, bytes: 0 };
  const progress = createProgress({ label: 'ingest', total: todo.length, unit: 'months', quiet: opts.quiet || todo.length === 0 });
  const fetchSlot = pLimit(Math.max(2, concurrency));
  const sumSlot = pLimit(concurrency);
  const log = (m: string) => progress.log(`ingest: ${m}`);
  const started = Date.now();
  await Promise.all(
    todo.map(async (file) => {
      const outcome = await processMonth(file, { ...ctx, fetchSlot, sumSlot, log });
      if (outcome.ok) counts.done++;
      else {
        counts.failed++;
        log(`${file.release} ${monthLabel(file)} failed: ${outcome.error}`);
      }
      counts.bytes += outcome.bytes;
      const elapsed = (Date.now() - started) / 1000;
      const finished = counts.done + counts.failed;
      const rate = `${(counts.bytes / 1e6 / Math.max(elapsed, 1e-3)).toFixed(1)} MB/s`;
      const eta = !process.stderr.isTTY && finished < todo.length ? `, ETA ${Math.round((elapsed / finished) * (todo.length - finished))} s` : '';
      progress.tick(1, `${file.release} ${monthLabel(file)}, ${rate}${eta}`);
    }),
  );
  progress.stop();
  return counts;
}

export async function runIngest(opts: IngestOptions, engineOpener: OpenZones): Promise<IngestSummary> {
  const started = Date.now();
  const http: HttpOptions = { ...defaultHttpOptions, ...opts.http };
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const threads = opts.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const out: Say = {
    say: (m) => {
      if (!opts.quiet) process.stderr.write(`${m}\n`);
    },
    warn: (m) => {
      process.stderr.write(`${m}\n`);
    },
  };

  const source = openSource(opts.source, { http, downloadDir: opts.downloadDir, onRetry: (m) => out.say(`ingest: ${m}`) });
  const store = await connectStore(opts.dbPath);
  let lock: StoreLock | undefined;
  let runId: number | undefined;
  try {
    lock = await acquireLock(store, { wait: opts.wait, pollMs: opts.lock?.pollMs, onWaiting: out.say });
    runId = await store.startRun(opts.source, { ...opts, http }, cgerVersion);
    await lock.setRunId(runId);
    removeStaleTemps(opts.outDir);

    const discovery = await discoverReleases(source, opts, out);
    for (const r of discovery.releases) await store.noteRelease(r.release, discovery.root, runId);
    const engine: ZoneEngine = await engineOpener(opts.zones.path, {
      idField: opts.zones.idField,
      nameField: opts.zones.nameField,
      method: opts.zones.method,
      cacheDir: hostCacheDir(opts.dbPath, opts.outDir),
      onWarning: (m) => out.say(`ingest: ${m}`),
    });
    const zoneSet = await store.zoneSet(engine.hash, engine.method, opts.zones.path, engine.zones);

    const { todo, skipped } = await planMonths(store, discovery.releases, zoneSet.id, out.say);
    // Every month must be on the ODIAC lattice: boundaries that miss it all fail here, before the first month.
    if (todo.length > 0) await engine.checkTouches(ODIAC_GLOBAL_GRID, 'the ODIAC 1 km grid');
    const counts = await processMonths(todo, { store, source, engine, zoneSetId: zoneSet.id, runId, cgerVersion, threads }, opts, concurrency);
    const offered = offeredMonths(discovery.releases[discovery.releases.length - 1]);
    const published = await publishOutputs(store, offered, zoneSet, {
      ...out,
      outDir: opts.outDir,
      years: opts.years,
      allowPartialYear: opts.allowPartialYear,
    });

    const exitCode = counts.failed > 0 || published.report.failed.length > 0 ? 2 : 0;
    await store.finishRun(runId, exitCode === 0 ? 'done' : 'partial', { processed: counts.done, skipped, failed: counts.failed });
    return {
      runId,
      release: offered.release,
      zonesHash: zoneSet.hash,
      processed: counts.done,
      skipped,
      failed: published.report.failed,
      missing: published.report.missing,
      notes: discovery.notes,
      outputs: { dir: opts.outDir, changed: published.changed },
      bytes: counts.bytes,
      seconds: (Date.now() - started) / 1000,
      exitCode,
      report: published.report,
    };
  } catch (err) {
    if (runId !== undefined) await store.finishRun(runId, 'error', { processed: 0, skipped: 0, failed: 0 });
    throw err;
  } finally {
    source.close();
    await lock?.release();
    await store.close();
  }
}
