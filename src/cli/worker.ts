import type { Command } from 'commander';
import { CgerError } from '../common/errors.ts';
import { isPostgresUrl, runWorker } from '../ingest/index.ts';
import { openZones } from '../zonal/index.ts';

interface WorkerCliOptions {
  db?: string;
  downloadDir: string;
  cacheDir: string;
  threads: string;
  untilEmpty?: boolean;
  poll: string;
  expiryCheck: string;
  quiet?: boolean;
  json?: boolean;
}

function positiveNumber(value: string, flag: string, integer = true): number {
  const n = Number(value);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new CgerError(`${flag}: "${value}" is not a positive ${integer ? 'whole ' : ''}number`);
  return n;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Process months queued by `cger ingest --db postgres://... --enqueue`, one at a time, on this host (run any number, on any hosts)')
    .option('--db <url>', 'the shared PostgreSQL store and queue (default: $CGER_DB)')
    .option('--download-dir <dir>', 'where this host keeps HTTP downloads (<dir>/<REL>/<YYYY>/)', 'rasters')
    .option('--cache-dir <dir>', "this host's coverage cache", 'output/cache')
    .option('--threads <n>', 'decoding threads for the month being summed', '1')
    .option('--until-empty', 'exit once no month is queued or running (instead of waiting for more)')
    .option('--poll <seconds>', 'how often an idle worker looks for new months', '2')
    .option('--expiry-check <seconds>', 'how often months of killed workers are returned to the queue (once their job timeout has passed)', '30')
    .option('--quiet', 'only failures on stderr')
    .option('--json', 'print a JSON summary on stdout when the worker stops')
    .addHelpText(
      'after',
      `
A worker commits each month together with its job's completion, so a month is never counted twice.
A killed worker's month is handed to another worker once its job timeout (--job-timeout of the
enqueue) has passed; after its last attempt a month is parked as failed and named by --collect.
SIGTERM or Ctrl-C finishes the current month, then stops.

Example:
  $ export CGER_DB=postgres://cger@db.example.org/cger
  npx cger ingest --source rasters/ --enqueue
  npx cger worker --threads 2 &              # on each host, as many as you like
  npx cger ingest --status
  npx cger ingest --collect --wait           # writes output/province_*.csv when the queue drains`,
    )
    .action(async (o: WorkerCliOptions) => {
      const db = o.db ?? process.env.CGER_DB;
      if (!db || !isPostgresUrl(db))
        throw new CgerError(`worker needs --db postgres://... (or CGER_DB): the shared store and queue${db ? `, not "${db}"` : ''}`);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const summary = await runWorker(
        {
          db,
          downloadDir: o.downloadDir,
          cacheDir: o.cacheDir,
          threads: positiveNumber(o.threads, '--threads'),
          untilEmpty: Boolean(o.untilEmpty),
          pollMs: positiveNumber(o.poll, '--poll', false) * 1000,
          expiryCheckSeconds: positiveNumber(o.expiryCheck, '--expiry-check'),
          quiet: Boolean(o.quiet),
          signal: stop.signal,
        },
        openZones,
      );
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else if (!o.quiet)
        process.stderr.write(
          `worker: ${summary.done} month(s) done, ${summary.failed} parked as failed, ${summary.retried} handed back, in ${summary.seconds.toFixed(1)} s\n`,
        );
    });
}
