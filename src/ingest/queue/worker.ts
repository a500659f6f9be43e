import { CgerError, errorMessage } from '../../common/errors.ts';
import { version as cgerVersion } from '../../common/version.ts';
import type { ZoneEngine } from '../../zonal/index.ts';
import { defaultHttpOptions } from '../http.ts';
import type { OpenZones } from '../ingest.ts';
import { type MonthContext, processMonth } from '../month.ts';
import { openSource } from '../sources/registry.ts';
import { PostgresStore } from '../store/postgres.ts';
import { type ClaimedMonth, fromJobFile, JobLost, type MonthJob, MonthQueue } from './monthQueue.ts';

export interface WorkerOptions {
  /** postgres:// URL of the shared store and queue. */
  db: string;
  /** Where this host keeps HTTP downloads and its coverage cache. */
  downloadDir: string;
  cacheDir: string;
  /** Decoding threads for the month being summed. */
  threads: number;
  /** Exit once no month is queued or running anywhere (a batch worker), instead of waiting for more. */
  untilEmpty: boolean;
  /** How often an idle worker looks for new months. */
  pollMs: number;
  /** How often pg-boss's maintenance returns the months of dead workers to the queue. */
  expiryCheckSeconds: number;
  quiet: boolean;
  /** Set (e.g. by SIGTERM) to finish the current month and stop. */
  signal?: AbortSignal;
}

export interface WorkerSummary {
  done: number;
  failed: number;
  retried: number;
  seconds: number;
  /** CPU time of this process (all its threads), user + system. */
  cpuSeconds: number;
}

const label = (j: MonthJob) => `${j.file.release} ${j.file.year}-${String(j.file.month).padStart(2, '0')}`;

/**
 * One worker: claims months from the queue one at a time, processes each like a local ingest
 * does, and commits it to the store together with its job's completion. A failed attempt goes
 * back to the queue; the last one is recorded in the store as failed (and parked in the queue).
 */
export async function runWorker(opts: WorkerOptions, engineOpener: OpenZones): Promise<WorkerSummary> {
  const started = Date.now();
  const say = (m: string) => {
    if (!opts.quiet) process.stderr.write(`worker: ${m}\n`);
  };
  const warn = (m: string) => {
    process.stderr.write(`worker: ${m}\n`);
  };
  const store = await PostgresStore.open(opts.db);
  let queue: MonthQueue | undefined;
  const summary: WorkerSummary = { done: 0, failed: 0, retried: 0, seconds: 0, cpuSeconds: 0 };
  const engines = new Map<string, Promise<ZoneEngine>>();

  const engineFor = async (zones: MonthJob['zones']): Promise<ZoneEngine> => {
    const key = JSON.stringify([zones.path, zones.method, zones.idField, zones.nameField]);
    let engine = engines.get(key);
    if (!engine) {
      engine = engineOpener(zones.path, { idField: zones.idField, nameField: zones.nameField, method: zones.method, cacheDir: opts.cacheDir, onWarning: say });
      engines.set(key, engine);
    }
    const opened = await engine;
    if (opened.hash !== zones.hash) {
      throw new CgerError(
        `boundary file ${zones.path} on this host has hash ${opened.hash}, but the run was planned with ${zones.hash}: give every worker the same file`,
      );
    }
    return opened;
  };

  /**
   * Where a claimed month's outcome goes: a done month is committed with its job's completion in
   * one transaction; a failure goes back to the queue for another attempt, or, on the last
   * attempt, is recorded in the store as the job is parked.
   */
  const sinkFor = (claimed: ClaimedMonth, lost: { job: boolean }): MonthContext['store'] => ({
    commitMonth: async (f, rows, audit) => {
      try {
        await store.commitMonth(f, rows, audit, (tx) => queue!.completeIn(tx, claimed.id));
      } catch (err) {
        if (err instanceof JobLost) lost.job = true;
        throw err;
      }
    },
    failMonth: async (f) => {
      if (lost.job) return;
      if (claimed.attempt < claimed.attempts) await queue!.fail(claimed.id, f.error ?? 'failed');
      else await store.failMonth(f, (tx) => queue!.fail(claimed.id, f.error ?? 'failed', tx));
    },
  });

  const handle = async (claimed: ClaimedMonth): Promise<void> => {
    const { job } = claimed;
    const t0 = Date.now();
    const attempt = `attempt ${claimed.attempt}/${claimed.attempts}`;
    const source = openSource(job.source.root, { http: defaultHttpOptions, downloadDir: opts.downloadDir, onRetry: say });
    try {
      const zoneSet = await store.findZoneSet(job.zones.hash, job.zones.method);
      if (!zoneSet) throw new CgerError(`zone set ${job.zones.hash} (${job.zones.method}) is not in the store: enqueue the run again`);
      const prior = await store.fileStatus(job.file.release, job.file.year, job.file.month, zoneSet.id);
      if (prior?.status === 'done' && prior.md5 === (job.file.md5 ?? '')) {
        await store.transaction((tx) => queue!.completeIn(tx, claimed.id));
        say(`${label(job)} already in the store`);
        return;
      }
      const engine = await engineFor(job.zones);
      const lost = { job: false };
      const direct = <T>(work: () => Promise<T>) => work();
      const outcome = await processMonth(fromJobFile(job.file), {
        store: sinkFor(claimed, lost),
        source,
        engine,
        zoneSetId: zoneSet.id,
        runId: job.runId,
        cgerVersion,
        threads: opts.threads,
        fetchSlot: direct,
        sumSlot: direct,
        log: say,
      });
      if (outcome.ok) {
        summary.done++;
        say(`${label(job)} done in ${((Date.now() - t0) / 1000).toFixed(1)} s (${attempt})`);
      } else if (lost.job) {
        say(`${label(job)} handed on before it was committed here (${attempt})`);
      } else if (claimed.attempt < claimed.attempts) {
        summary.retried++;
        warn(`${label(job)} failed (${attempt}), will be retried: ${outcome.error}`);
      } else {
        summary.failed++;
        warn(`FAILED ${label(job)} ${job.file.name} (${attempt}, parked): ${outcome.error}`);
      }
    } catch (err) {
      if (err instanceof JobLost) {
        say(`${label(job)}: ${err.message}`);
        return;
      }
      // Not the month's fault as far as we know (store, boundaries): give it back for another attempt.
      const message = errorMessage(err);
      await queue!.fail(claimed.id, message).catch(() => {});
      summary.retried++;
      warn(`${label(job)} not processed (${attempt}): ${message}`);
    } finally {
      source.close();
    }
  };

  try {
    queue = await MonthQueue.open(opts.db, { supervise: true, expiryCheckSeconds: opts.expiryCheckSeconds, onError: warn });
    say(`pid ${process.pid} working on ${queue.location}`);
    while (!opts.signal?.aborted) {
      const claimed = await queue.claim();
      if (claimed) {
        await handle(claimed);
        continue;
      }
      // Another worker's month may still come back (its worker died): wait until none is pending.
      if (opts.untilEmpty && (await queue.pendingCount()) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, opts.pollMs));
    }
  } finally {
    await queue?.close().catch(() => {});
    await store.close();
  }
  summary.seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage();
  summary.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return summary;
}
