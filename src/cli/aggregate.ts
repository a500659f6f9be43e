import type { Command } from 'commander';
import { Option } from 'commander';
import { NAME_FIELD_HELP } from '../boundaries/index.ts';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { formatCsv, formatCsvRecords } from '../common/csv.ts';
import { createProgress } from '../common/progress.ts';
import { warmUpDecodersFor } from '../raster/index.ts';
import { aggregateRasters, annualTotals, type RasterResult } from '../zonal/aggregate.ts';
import { noOverlapMessage, openZones } from '../zonal/index.ts';
import { wholeNumberOption } from './options.ts';

interface AggregateFlags {
  zones: string;
  idField?: string;
  nameField?: string;
  method: 'exact' | 'center';
  remainder?: boolean;
  annual?: boolean;
  allowPartialYear?: boolean;
  strict?: boolean;
  anyGrid?: boolean;
  out?: string;
  cacheDir: string;
  threads?: number;
  json?: boolean;
  quiet?: boolean;
}

const MONTHLY_HEADER = ['zone_id', 'zone_name', 'raster', 'year', 'month', 'sum', 'coverage', 'cells'];
const ANNUAL_HEADER = ['zone_id', 'zone_name', 'year', 'months', 'sum_tC', 'co2_t'];

export function register(program: Command): void {
  program
    .command('aggregate')
    .description('Exact zonal sums of GeoTIFF grids (.tif or .tif.gz) over province boundaries')
    .argument('<rasters...>', 'GeoTIFF files, e.g. odiac2023_1km_excl_intl_1101.tif.gz')
    .requiredOption('--zones <file>', 'boundaries: GeoJSON, or an ESRI shapefile (.shp with .dbf/.prj/.cpg)')
    .option('--id-field <field>', 'attribute holding the zone id', 'id')
    .option('--name-field <field>', NAME_FIELD_HELP)
    .addOption(
      new Option('--method <method>', 'exact: fractional cell coverage; center: cell counted if its centre is inside')
        .choices(['exact', 'center'])
        .default('exact'),
    )
    .option('--remainder', 'add a row zone_id=_outside with what lies in the grid but in no zone (decodes the whole grid)')
    .option('--annual', 'sum months into one row per zone and year (sum_tC, co2_t = sum_tC x 44/12, months)')
    .option('--allow-partial-year', 'with --annual: sum years that miss months instead of failing')
    .option('--strict', 'invalid boundary geometry is an error instead of being repaired')
    .option('--any-grid', 'accept grids other than the ODIAC 1 km lattice (1/120 degree cells aligned to -180, 90)')
    .option('--out <file>', 'write the CSV here (written atomically) instead of stdout')
    .option('--cache-dir <dir>', 'where coverage fractions are cached', 'output/cache')
    .option('--threads <n>', 'decoding threads per raster (default: the number of cores)', wholeNumberOption('--threads'))
    .option('--json', 'print the rows as JSON on stdout')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Columns: zone_id,zone_name,raster,year,month,sum,coverage,cells (one row per raster and zone that
touches it; year/month from ODIAC names). sum = sum of value x covered fraction; coverage = sum of
fractions over valid cells; cells = valid cells with fraction > 0. Nodata and NaN cells are skipped.

Exit codes: 0 done; 1 a raster or the boundaries could not be read (one line each on stderr; with
--out the rows of the rasters that were read are still written); 2 no zone touches some raster.

Example:
  npx cger aggregate --zones boundaries/cn-provinces-ctamap2023.geojson \\
    test/fixtures/jjj/jjj_strip_deflate.tif --out output/jjj.csv
  # one year of a release downloaded as monthly files (README, "From the demo to your own data"):
  npx cger aggregate --zones boundaries/cn-provinces-ctamap2023.geojson --annual \\
    rasters/odiac2023/1km_tiff/2011/odiac2023_1km_excl_intl_11*.tif.gz`,
    )
    .action(async (rasters: string[], flags: AggregateFlags) => {
      const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
      void warmUpDecodersFor(rasters, flags.threads); // starts them while the boundaries load
      const engine = await openZones(flags.zones, {
        idField: flags.idField,
        nameField: flags.nameField,
        method: flags.method,
        cacheDir: flags.cacheDir,
        strict: flags.strict,
        onWarning: warn,
      });
      const progress = createProgress({ label: 'aggregate', total: rasters.length, unit: 'rasters', quiet: flags.quiet || flags.json });
      const started = Date.now();
      let totalBytes = 0;
      const { results, failures } = await aggregateRasters(engine, rasters, {
        fullGrid: flags.remainder,
        requireOdiacLattice: !flags.anyGrid,
        threads: flags.threads,
        onNotice: (m) => progress.log(`note: ${m}`),
        onRasterDone: (_path, bytes) => {
          totalBytes += bytes;
          progress.tick(1, `${(totalBytes / 1e6 / Math.max(1e-3, (Date.now() - started) / 1000)).toFixed(1)} MB/s`);
        },
      });
      progress.stop();
      for (const f of failures) process.stderr.write(`cger: ${f.message}\n`);
      const untouched = results.filter((r) => r.touching.size === 0);
      for (const r of untouched) process.stderr.write(`cger: ${noOverlapMessage(flags.zones, r.path, r.grid)}\n`);

      const { header, records } = flags.annual
        ? { header: ANNUAL_HEADER, records: annualTotals(results, flags.allowPartialYear) as unknown as Record<string, string | number>[] }
        : { header: MONTHLY_HEADER, records: monthlyRecords(results, !!flags.remainder) };
      const failed = failures.length > 0 || untouched.length > 0;
      if (flags.json) process.stdout.write(JSON.stringify({ rows: records, failed: failures, untouched: untouched.map((r) => r.path) }, null, 2) + '\n');
      else if (flags.out) writeFileAtomic(flags.out, formatCsvRecords(header, records));
      // On stdout, a failed run prints rows only when some raster gave some (never a lone header).
      else if (records.length > 0 || !failed)
        process.stdout.write(
          formatCsv(
            header,
            records.map((r) => header.map((h) => r[h])),
          ),
        );
      if (failures.length > 0) process.exitCode = 1;
      else if (untouched.length > 0) process.exitCode = 2;
    });
}

/** Parses a whole number >= 0 for an option, or fails naming it. */
function monthlyRecords(results: RasterResult[], remainder: boolean): Record<string, string | number | null>[] {
  const records: Record<string, string | number | null>[] = [];
  for (const r of results) {
    const common = { raster: r.path, year: r.year, month: r.month };
    for (const z of r.zones) {
      if (!r.touching.has(z.id)) continue;
      records.push({ zone_id: z.id, zone_name: z.name, ...common, sum: z.sum, coverage: z.coverage, cells: z.cells });
    }
    if (remainder) records.push({ zone_id: '_outside', zone_name: 'outside every zone', ...common, sum: r.outside, coverage: null, cells: null });
  }
  return records;
}
