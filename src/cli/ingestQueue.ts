import { type Command, Option } from 'commander';
import { CgerError } from '../common/errors.ts';
import { collectIngest, enqueueIngest, formatStatus, type IngestOptions, ingestStatus, isPostgresUrl } from '../ingest/index.ts';
import { openZones } from '../zonal/index.ts';
import { wholeNumber } from './options.ts';

/** `cger ingest`'s options for a run spread over several machines (PostgreSQL store and queue). */
export interface QueueCliOptions {
  enqueue?: boolean;
  collect?: boolean;
  status?: boolean;
  attempts: string;
  jobTimeout: string;
  json?: boolean;
  quiet?: boolean;
  outDir: string;
  allowPartialYear?: boolean;
  wait?: boolean;
}

export function addQueueOptions(command: Command): void {
  command
    .addOption(
      new Option('--enqueue', 'with --db postgres://...: plan the months and queue one job per month for `cger worker`s (no summing here)').conflicts([
        'collect',
        'status',
      ]),
    )
    .addOption(
      new Option('--collect', 'with --db postgres://...: write the province tables of the last enqueued run (with --wait: once its queue drains)').conflicts(
        'status',
      ),
    )
    .option('--status', 'with --db postgres://...: months done, running, queued and failed per release')
    .option('--attempts <n>', 'with --enqueue: attempts per month before it is parked as failed', '3')
    .option(
      '--job-timeout <seconds>',
      "with --enqueue: a month not finished this long after a worker claimed it is handed to another worker (longer than a month's slowest download + sum)",
      '900',
    );
}

function requirePostgres(db: string, flag: string): void {
  if (!isPostgresUrl(db)) throw new CgerError(`${flag} needs --db postgres://... (or CGER_DB): the queue lives in the shared PostgreSQL store, not in "${db}"`);
}

/** Runs --status or --collect if asked; false when neither was. */
export async function runQueueCommand(o: QueueCliOptions, db: string): Promise<boolean> {
  if (o.status) {
    requirePostgres(db, '--status');
    const rows = await ingestStatus(db);
    process.stdout.write(o.json ? JSON.stringify(rows, null, 2) + '\n' : formatStatus(rows));
    return true;
  }
  if (!o.collect) return false;
  requirePostgres(db, '--collect');
  const s = await collectIngest({ db, outDir: o.outDir, allowPartialYear: Boolean(o.allowPartialYear), wait: Boolean(o.wait), quiet: Boolean(o.quiet) });
  if (o.json) {
    process.stdout.write(
      JSON.stringify(
        {
          run_id: s.runId,
          release: s.release,
          failed: s.failed,
          missing: s.missing,
          outputs_dir: s.outputs.dir,
          outputs_changed: s.outputs.changed,
          months_done: s.report.months_done,
          exit_code: s.exitCode,
        },
        null,
        2,
      ) + '\n',
    );
  } else if (!o.quiet) {
    process.stderr.write(
      `ingest: release ${s.release}: ${s.report.months_done} month(s) done, ${s.failed.length} failed; outputs in ${s.outputs.dir}` +
        `${s.outputs.changed.length ? ` (updated: ${s.outputs.changed.join(', ')})` : ' (unchanged)'}\n`,
    );
  }
  if (s.exitCode !== 0) process.exitCode = s.exitCode;
  return true;
}

export async function runEnqueue(options: IngestOptions, o: QueueCliOptions, db: string): Promise<void> {
  requirePostgres(db, '--enqueue');
  const s = await enqueueIngest(
    {
      ...options,
      db,
      queue: { attempts: wholeNumber(o.attempts, '--attempts'), timeoutSeconds: wholeNumber(o.jobTimeout, '--job-timeout') },
    },
    openZones,
  );
  if (o.json) {
    process.stdout.write(
      JSON.stringify(
        {
          run_id: s.runId,
          releases: s.releases,
          zones_hash: s.zonesHash,
          enqueued: s.enqueued,
          already_pending: s.alreadyPending,
          skipped: s.skipped,
          notes: s.notes,
        },
        null,
        2,
      ) + '\n',
    );
  } else if (!o.quiet) {
    process.stderr.write(
      `ingest: ${s.enqueued} month(s) queued for workers (${s.alreadyPending} already queued, ${s.skipped} already done); ` +
        'start `cger worker`s, follow with `cger ingest --status`, then `cger ingest --collect`\n',
    );
  }
}
