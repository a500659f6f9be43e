import { type Command, Option } from 'commander';
import { NAME_FIELD_HELP } from '../boundaries/index.ts';
import { CgerError, errorMessage } from '../common/errors.ts';
import { type IngestOptions, type IngestSummary, parseReleases, parseYears, runIngest } from '../ingest/index.ts';
import { openZones } from '../zonal/index.ts';
import { addQueueOptions, type QueueCliOptions, runEnqueue, runQueueCommand } from './ingestQueue.ts';
import { wholeNumber } from './options.ts';

interface IngestCliOptions extends QueueCliOptions {
  source?: string;
  release: string;
  years?: string;
  zones: string;
  idField: string;
  nameField?: string;
  method: 'exact' | 'center';
  db?: string;
  outDir: string;
  downloadDir: string;
  concurrency: string;
  allowPartialYear?: boolean;
  wait?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function requireSource(o: { source?: string }): string {
  if (!o.source) throw new CgerError('--source <dir|url> is required (except with --collect or --status)');
  return o.source;
}

function summaryJson(s: IngestSummary) {
  return {
    run_id: s.runId,
    release: s.release,
    zones_hash: s.zonesHash,
    processed: s.processed,
    skipped: s.skipped,
    failed: s.failed,
    missing: s.missing,
    notes: s.notes,
    outputs_dir: s.outputs.dir,
    outputs_changed: s.outputs.changed,
    megabytes: s.bytes / 1e6,
    seconds: s.seconds,
    exit_code: s.exitCode,
  };
}

export function register(program: Command): void {
  const command = program
    .command('ingest')
    .description('Find new ODIAC months at a directory or HTTP source, sum them per province once, and rebuild the province tables (kill-safe, for cron)')
    .option(
      '--source <dir|url>',
      'directory holding odiac<REL>/ release trees (monthly .tif.gz files or one <YYYY>_allmonths.tif.gz.zip a year), or an http(s) base URL serving the same tree (not needed with --collect or --status)',
    )
    .option('--release <latest|REL,...>', 'releases to ingest: latest found (directory), or labels to probe, e.g. 2023,2024 (required over HTTP)', 'latest')
    .option('--years <range>', 'limit the months to these years, e.g. 2011-2022 or 2011,2015-2016')
    .option('--zones <path>', 'boundary file (GeoJSON or shapefile)', 'boundaries/cn-provinces-ctamap2023.geojson')
    .option('--id-field <name>', 'zone id attribute', 'id')
    .option('--name-field <name>', NAME_FIELD_HELP)
    .addOption(new Option('--method <method>', 'coverage rule').choices(['exact', 'center']).default('exact'))
    .option('--db <path|url>', 'ingest store: a SQLite file, or postgres://... shared by several machines (default: $CGER_DB, else output/cger.sqlite)')
    .option('--out-dir <dir>', 'where province_month.csv, province_year.csv and ingest_report.json go', 'output')
    .option('--download-dir <dir>', 'where HTTP downloads are kept (<dir>/<REL>/<YYYY>/)', 'rasters')
    .option('--concurrency <n>', 'files summed at once; the cores are shared among them for decoding', '1')
    .option('--allow-partial-year', 'also write years with fewer than 12 months to province_year.csv')
    .option('--wait', 'if another live ingest holds the store, wait for it instead of exiting (a killed one holds nothing)')
    .option('--quiet', 'no progress or notes on stderr (failed and missing months are still printed)')
    .option('--json', 'print a JSON summary on stdout');
  addQueueOptions(command);
  command
    .addHelpText(
      'after',
      `
Layouts read in each odiac<REL>/1km_tiff/<YYYY>/ folder, next to odiac<REL>_1km_checksum_<YYYY>.md5.txt:
  monthly odiac<REL>_1km_excl_intl_<YYMM>.tif.gz (or .tif), and/or the year archive
  odiac<REL>_1km_excl_intl_<YYYY>_allmonths.tif.gz.zip (read in place; a month's own file is tried first).

Exit codes: 0 done (including nothing new), 1 error, 2 some months failed (see ingest_report.json).

Example:
  npx cger ingest --source test/fixtures/release-zip --db /tmp/cger-zip/cger.sqlite --out-dir /tmp/cger-zip
  npx cger ingest --source rasters/ --years 2011-2022
  npx cger ingest --source https://example.org/odiac/ --release 2023,2024 --json
  # nightly from cron:
  15 2 * * *  cd /srv/cger && node bin/cger.js ingest --source rasters/ --quiet --wait >> output/ingest.log 2>&1`,
    )
    .action(async (o: IngestCliOptions) => {
      const db = o.db ?? process.env.CGER_DB ?? 'output/cger.sqlite';
      if (await runQueueCommand(o, db)) return;
      const source = requireSource(o);
      let releases: 'latest' | string[];
      let years: number[] | null;
      try {
        releases = parseReleases(o.release);
        years = o.years === undefined ? null : parseYears(o.years);
      } catch (err) {
        throw new CgerError(errorMessage(err));
      }
      const options: IngestOptions = {
        source,
        releases,
        years,
        zones: { path: o.zones, idField: o.idField, nameField: o.nameField, method: o.method },
        dbPath: db,
        outDir: o.outDir,
        downloadDir: o.downloadDir,
        concurrency: wholeNumber(o.concurrency, '--concurrency'),
        wait: Boolean(o.wait),
        allowPartialYear: Boolean(o.allowPartialYear),
        quiet: Boolean(o.quiet),
      };
      if (o.enqueue) return runEnqueue(options, o, db);
      const summary = await runIngest(options, openZones);
      if (o.json) process.stdout.write(JSON.stringify(summaryJson(summary), null, 2) + '\n');
      else if (!o.quiet) {
        process.stderr.write(
          `ingest: release ${summary.release}: ${summary.processed} month(s) processed, ${summary.skipped} already done, ` +
            `${summary.failed.length} failed; outputs in ${summary.outputs.dir}` +
            `${summary.outputs.changed.length ? ` (updated: ${summary.outputs.changed.join(', ')})` : ' (unchanged)'}\n`,
        );
      }
      if (summary.exitCode !== 0) process.exitCode = summary.exitCode;
    });
}
