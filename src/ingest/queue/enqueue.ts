import { CgerError } from '../../common/errors.ts';
import { version as cgerVersion } from '../../common/version.ts';
import { discover } from '../discover.ts';
import { defaultHttpOptions, type HttpOptions } from '../http.ts';
import type { IngestOptions, OpenZones } from '../ingest.ts';
import { offeredMonths, planMonths } from '../plan.ts';
import { openSource } from '../sources/registry.ts';
import { PostgresStore } from '../store/postgres.ts';
import { hostCacheDir } from '../store.ts';
import type { CollectPlan } from './collect.ts';
import { type EnqueueOptions, type MonthJob, MonthQueue, toJobFile } from './monthQueue.ts';

export interface EnqueueSummary {
  runId: number;
  releases: string[];
  zonesHash: string;
  enqueued: number;
  /** Months already waiting or running from an earlier enqueue. */
  alreadyPending: number;
  /** Months already done with the md5 their checksum list names now. */
  skipped: number;
  notes: string[];
}

/**
 * Plans a distributed ingest: discovers the months (checksum lists), registers the zone set,
 * and puts one job per month not yet done into the queue. The plan is kept with the run, so
 * `--collect` can write the outputs later without the source.
 */
export async function enqueueIngest(opts: IngestOptions & { db: string; queue: EnqueueOptions }, engineOpener: OpenZones): Promise<EnqueueSummary> {
  const http: HttpOptions = { ...defaultHttpOptions, ...opts.http };
  const say = (m: string) => {
    if (!opts.quiet) process.stderr.write(`${m}\n`);
  };
  const source = openSource(opts.source, { http, downloadDir: opts.downloadDir, onRetry: (m) => say(`ingest: ${m}`) });
  const store = await PostgresStore.open(opts.db);
  let queue: MonthQueue | undefined;
  try {
    const discovery = await discover(source, { releases: opts.releases, years: opts.years });
    for (const note of discovery.notes) say(`ingest: ${note}`);
    if (discovery.releases.length === 0) {
      const asked = opts.releases === 'latest' ? 'no release' : `none of the releases ${opts.releases.join(', ')}`;
      throw new CgerError(`${asked} found at ${opts.source}`);
    }
    const engine = await engineOpener(opts.zones.path, {
      idField: opts.zones.idField,
      nameField: opts.zones.nameField,
      method: opts.zones.method,
      cacheDir: hostCacheDir(opts.db, opts.outDir),
      onWarning: (m) => say(`ingest: ${m}`),
    });
    const selected = discovery.releases[discovery.releases.length - 1];
    const plan: CollectPlan = { ...offeredMonths(selected), requestedYears: opts.years, zones: { hash: engine.hash, method: engine.method } };
    const runId = await store.startRun(opts.source, { mode: 'enqueue', options: { ...opts, http }, plan }, cgerVersion);
    for (const r of discovery.releases) await store.noteRelease(r.release, discovery.root, runId);
    const zoneSet = await store.zoneSet(engine.hash, engine.method, opts.zones.path, engine.zones);
    const { todo, skipped } = await planMonths(store, discovery.releases, zoneSet.id, say);
    const jobs: MonthJob[] = todo.map((file) => ({
      runId,
      source: { kind: discovery.kind, root: discovery.root },
      file: toJobFile(file),
      zones: { hash: engine.hash, method: opts.zones.method, path: opts.zones.path, idField: opts.zones.idField, nameField: opts.zones.nameField },
    }));
    queue = await MonthQueue.open(opts.db);
    const { enqueued, alreadyPending } = await queue.enqueue(jobs, opts.queue);
    await store.finishRun(runId, 'enqueued', { processed: 0, skipped, failed: 0 });
    return {
      runId,
      releases: discovery.releases.map((r) => r.release),
      zonesHash: engine.hash,
      enqueued,
      alreadyPending,
      skipped,
      notes: discovery.notes,
    };
  } finally {
    source.close();
    await queue?.close();
    await store.close();
  }
}
