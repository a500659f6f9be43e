import PgBoss from 'pg-boss';
import { CgerError, errorMessage } from '../../common/errors.ts';
import type { MonthFile } from '../discover.ts';
import { PACKINGS } from '../packings/registry.ts';
import { redactUrl, type Transaction } from '../store/postgres.ts';

/**
 * The month queue of a distributed ingest, on pg-boss in the store's own database: one job per
 * month-file. A job a worker claims stays `active` until that worker completes it inside the
 * month's store transaction; if the worker dies, the job expires after its timeout and pg-boss's
 * maintenance (run by any live worker) puts it back for another attempt. After its last
 * attempt it is parked as `failed`.
 */

export const QUEUE_NAME = 'cger-ingest-month';

/** A month-file as a job carries it (JSON): each candidate's packing by its kind. */
export type JobMonthFile = Omit<MonthFile, 'candidates'> & { candidates: { packing: string; holder: string; location: string }[] };

export function toJobFile(file: MonthFile): JobMonthFile {
  return { ...file, candidates: file.candidates.map((c) => ({ packing: c.packing.kind, holder: c.holder, location: c.location })) };
}

export function fromJobFile(file: JobMonthFile): MonthFile {
  return {
    ...file,
    candidates: file.candidates.map((c) => {
      const packing = PACKINGS.find((p) => p.kind === c.packing);
      if (!packing) throw new CgerError(`${file.name}: packing "${c.packing}" is unknown to this cger (workers older than the enqueuer?)`);
      return { packing, holder: c.holder, location: c.location };
    }),
  };
}

/** What a worker needs to process a month anywhere: the file, where its release came from, and the zone set. */
export interface MonthJob {
  runId: number;
  /** The discovered source root (directory or URL). */
  source: { kind: string; root: string };
  file: JobMonthFile;
  zones: { hash: string; method: 'exact' | 'center'; path: string; idField: string; nameField?: string };
}

export interface ClaimedMonth {
  id: string;
  job: MonthJob;
  /** 1 for the first attempt. */
  attempt: number;
  attempts: number;
}

export interface QueueCounts {
  queued: number;
  running: number;
}

export interface EnqueueOptions {
  /** Attempts per month before it is parked as failed. */
  attempts: number;
  /** A claimed month not completed within this many seconds is taken to be lost (worker killed) and retried. */
  timeoutSeconds: number;
}

/** Identifies a month-file for a zone set: one pending job per key. */
export const jobKey = (j: MonthJob) =>
  `${j.file.release}/${j.file.year}-${String(j.file.month).padStart(2, '0')}/${j.zones.hash}/${j.zones.method}/${j.file.md5 ?? ''}`;

/** pg-boss's job states, as this queue reports them. */
const PENDING_STATES = `('created', 'retry', 'active')`;

/** The job expired while its worker still worked on it, and went to another worker: that one commits the month. */
export class JobLost extends CgerError {
  constructor(id: string) {
    super(`job ${id} is no longer held by this worker (it expired and was handed on)`);
  }
}

export class MonthQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly shown: string,
  ) {}

  /**
   * Connects (creating pg-boss's schema and the queue if needed). A worker `supervises`: it also
   * runs pg-boss's maintenance, which expires the jobs of dead workers every `expiryCheckSeconds`.
   */
  static async open(url: string, opts: { supervise?: boolean; expiryCheckSeconds?: number; onError?: (message: string) => void } = {}): Promise<MonthQueue> {
    const boss = new PgBoss({
      connectionString: url,
      max: 2,
      schedule: false,
      supervise: opts.supervise ?? false,
      maintenanceIntervalSeconds: opts.expiryCheckSeconds ?? 30,
    });
    const shown = redactUrl(url);
    boss.on('error', (err) => opts.onError?.(`queue on ${shown}: ${errorMessage(err)}`));
    try {
      await boss.start();
      if (!(await boss.getQueue(QUEUE_NAME))) {
        // Two first openers race to create it; the loser finds it made.
        await boss.createQueue(QUEUE_NAME, { name: QUEUE_NAME, policy: 'standard' }).catch(async (err) => {
          if (!(await boss.getQueue(QUEUE_NAME))) throw err;
        });
      }
    } catch (err) {
      await boss.stop({ graceful: false, close: true, wait: true }).catch(() => {});
      throw new CgerError(`${shown}: cannot open the month queue: ${errorMessage(err)}`);
    }
    return new MonthQueue(boss, shown);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: true, wait: true });
  }

  private async rows<T>(sql: string, values: unknown[] = []): Promise<T[]> {
    return (await this.boss.getDb().executeSql(sql, values)).rows as T[];
  }

  /** Adds the months not already waiting or running (same release, month, zone set and md5). */
  async enqueue(jobs: MonthJob[], opts: EnqueueOptions): Promise<{ enqueued: number; alreadyPending: number }> {
    const keys = jobs.map(jobKey);
    const pending = new Set(
      (
        await this.rows<{ key: string }>(
          `SELECT singleton_key AS key FROM pgboss.job WHERE name = $1 AND state IN ${PENDING_STATES} AND singleton_key = ANY($2::text[])`,
          [QUEUE_NAME, keys],
        )
      ).map((r) => r.key),
    );
    const fresh = jobs.filter((_, i) => !pending.has(keys[i]));
    if (fresh.length > 0) {
      await this.boss.insert(
        fresh.map((job) => ({
          name: QUEUE_NAME,
          data: job,
          singletonKey: jobKey(job),
          retryLimit: opts.attempts - 1,
          expireInSeconds: opts.timeoutSeconds,
        })),
      );
    }
    return { enqueued: fresh.length, alreadyPending: jobs.length - fresh.length };
  }

  /** The next month to process, now `active` for this worker; null when none is waiting. */
  async claim(): Promise<ClaimedMonth | null> {
    const [got] = await this.boss.fetch<MonthJob>(QUEUE_NAME, { batchSize: 1, includeMetadata: true });
    if (!got) return null;
    return { id: got.id, job: got.data, attempt: got.retryCount + 1, attempts: got.retryLimit + 1 };
  }

  /**
   * Marks a month's job complete inside the caller's transaction (the month's store commit). If
   * the job is no longer active (it expired and another worker holds it), this throws and the
   * commit rolls back: that other worker commits the month.
   */
  async completeIn(tx: Transaction, id: string): Promise<void> {
    // pg-boss resolves { affected } (its typings say void): the number of active jobs it completed.
    const done = (await this.boss.complete(QUEUE_NAME, id, {}, { db: { executeSql: (text, values) => tx.query(text, values) } })) as unknown as {
      affected: number;
    };
    if (done.affected !== 1) throw new JobLost(id);
  }

  /** Gives a month back after a failed attempt: retried, or parked as failed after its last attempt (in `tx` when given). */
  async fail(id: string, message: string, tx?: Transaction): Promise<void> {
    const db = tx ? { executeSql: (text: string, values: unknown[]) => tx.query(text, values) } : undefined;
    await this.boss.fail(QUEUE_NAME, id, { message }, db ? { db } : {});
  }

  /** Removes parked jobs once the store records their failure. */
  async forget(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.boss.deleteJob(QUEUE_NAME, ids);
  }

  /** Months waiting, being processed, or waiting for a retry. */
  async pendingCount(): Promise<number> {
    const [row] = await this.rows<{ n: string }>(`SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state IN ${PENDING_STATES}`, [QUEUE_NAME]);
    return Number(row.n);
  }

  /** Per release: months queued (incl. waiting to retry) and running. */
  async countsByRelease(): Promise<Map<string, QueueCounts>> {
    const rows = await this.rows<{ release: string; state: string; n: string }>(
      `SELECT data->'file'->>'release' AS release, state, count(*) AS n FROM pgboss.job
        WHERE name = $1 AND state IN ${PENDING_STATES} GROUP BY 1, 2`,
      [QUEUE_NAME],
    );
    const counts = new Map<string, QueueCounts>();
    for (const r of rows) {
      const c = counts.get(r.release) ?? { queued: 0, running: 0 };
      if (r.state === 'active') c.running += Number(r.n);
      else c.queued += Number(r.n);
      counts.set(r.release, c);
    }
    return counts;
  }

  /** Jobs parked as failed, with the last error pg-boss recorded (a worker's message, or an expiry). */
  async parked(): Promise<{ id: string; job: MonthJob; error: string }[]> {
    const rows = await this.rows<{ id: string; data: MonthJob; output: { message?: string; value?: { message?: string } } | null }>(
      `SELECT id, data, output FROM pgboss.job WHERE name = $1 AND state = 'failed' ORDER BY created_on`,
      [QUEUE_NAME],
    );
    return rows.map((r) => ({ id: r.id, job: r.data, error: r.output?.message ?? r.output?.value?.message ?? 'failed in the queue' }));
  }

  get location(): string {
    return this.shown;
  }
}
