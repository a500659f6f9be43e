import { CgerError } from '../../common/errors.ts';
import { version as cgerVersion } from '../../common/version.ts';
import { type IngestReport, type MonthProblem, removeStaleTemps } from '../outputs.ts';
import type { OfferedMonths } from '../plan.ts';
import { publishOutputs } from '../publish.ts';
import { PostgresStore } from '../store/postgres.ts';
import { MonthQueue } from './monthQueue.ts';

/** What an enqueue leaves for the collect: the newest release's listing, in short. */
export interface CollectPlan extends OfferedMonths {
  /** --years of the enqueue, if given. */
  requestedYears: number[] | null;
  zones: { hash: string; method: string };
}

export interface CollectOptions {
  db: string;
  outDir: string;
  allowPartialYear: boolean;
  /** Wait for the queue to drain instead of failing while months are pending. */
  wait: boolean;
  pollMs?: number;
  quiet: boolean;
}

export interface CollectSummary {
  runId: number;
  release: string;
  failed: MonthProblem[];
  missing: MonthProblem[];
  outputs: { dir: string; changed: string[] };
  exitCode: 0 | 2;
  report: IngestReport;
}

/** The newest enqueue run and its plan. */
async function latestPlan(store: PostgresStore): Promise<{ runId: number; plan: CollectPlan }> {
  const runs = await store.runs();
  for (const run of [...runs].reverse()) {
    const args = (await store.runArgs(run.id)) as { mode?: string; plan?: CollectPlan } | undefined;
    if (args?.mode === 'enqueue' && args.plan) return { runId: run.id, plan: args.plan };
  }
  throw new CgerError(`${store.path}: no enqueued ingest to collect (run \`cger ingest --db ... --enqueue\` first)`);
}

/**
 * Writes the province tables of the newest enqueued run once its queue has drained. Months the
 * queue gave up on (every attempt failed or expired) are recorded in the store as failed, so
 * the report names them, exactly as a local ingest's failures.
 */
export async function collectIngest(opts: CollectOptions): Promise<CollectSummary> {
  const warn = (m: string) => {
    process.stderr.write(`${m}\n`);
  };
  const say = (m: string) => {
    if (!opts.quiet) warn(m);
  };
  const store = await PostgresStore.open(opts.db);
  let queue: MonthQueue | undefined;
  try {
    const { runId, plan } = await latestPlan(store);
    queue = await MonthQueue.open(opts.db);
    let announced = false;
    for (let pending = await queue.pendingCount(); pending > 0; pending = await queue.pendingCount()) {
      if (!opts.wait)
        throw new CgerError(`${pending} month(s) still queued or running on ${store.path} (see --status); collect when the queue has drained, or add --wait`);
      if (!announced) say(`ingest: waiting for ${pending} queued or running month(s)`);
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 2000));
    }

    for (const { id, job, error } of await queue.parked()) {
      const zoneSet = await store.findZoneSet(job.zones.hash, job.zones.method);
      const prior = zoneSet && (await store.fileStatus(job.file.release, job.file.year, job.file.month, zoneSet.id));
      // A month whose last attempt failed in a worker is already recorded; one whose workers died is not.
      if (zoneSet && prior?.status !== 'done' && !(prior && prior.md5 === (job.file.md5 ?? ''))) {
        await store.failMonth({
          release: job.file.release,
          year: job.file.year,
          month: job.file.month,
          zoneSetId: zoneSet.id,
          name: job.file.name,
          source: job.file.location,
          path: null,
          size: null,
          md5: job.file.md5 ?? '',
          md5Actual: null,
          status: 'failed',
          error: `gave up after every attempt: ${error}`,
          grid: null,
          nodata: null,
          cgerVersion,
          runId: job.runId,
          fetchMs: null,
          verifyMs: null,
          sumMs: null,
        });
      }
      await queue.forget([id]);
    }

    const zoneSet = await store.findZoneSet(plan.zones.hash, plan.zones.method);
    if (!zoneSet) throw new CgerError(`${store.path}: the zone set of run ${runId} is missing from the store`);
    removeStaleTemps(opts.outDir);
    const { changed, report } = await publishOutputs(store, plan, zoneSet, {
      outDir: opts.outDir,
      years: plan.requestedYears,
      allowPartialYear: opts.allowPartialYear,
      say,
      warn,
    });
    const { failed, missing } = report;
    return { runId, release: plan.release, failed, missing, outputs: { dir: opts.outDir, changed }, exitCode: failed.length > 0 ? 2 : 0, report };
  } finally {
    await queue?.close();
    await store.close();
  }
}
