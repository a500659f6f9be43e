import { join } from 'node:path';
import type { Command } from 'commander';
import { readTruth, runReport } from '../report/index.ts';

interface ReportCliOptions {
  outDir: string;
  db?: string;
  panel?: string;
  tables?: string;
  boundaries?: string;
  idField: string;
  nameField: string;
  truth?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('write output/report.html (provenance, CO2 series, mass audit, Tables 3-11, choropleth maps) and the maps as SVG files in output/maps/')
    .option('--out-dir <dir>', 'directory holding the outputs of ingest, panel and dml; report.html and maps/ are written there', 'output')
    .option('--db <path>', 'ingest store (default <out-dir>/cger.sqlite)')
    .option('--panel <csv>', 'panel (default <out-dir>/panel.csv)')
    .option('--tables <dir>', "dml's tables, tables.json and estimates.json (default <out-dir>/tables)")
    .option('--boundaries <file>', 'province boundaries for the maps (GeoJSON or shapefile; default: the shipped boundaries/cn-provinces-ctamap2023.geojson)')
    .option('--id-field <name>', 'province code attribute of the boundaries', 'id')
    .option('--name-field <name>', 'province name attribute of the boundaries', 'name')
    .option(
      '--truth <json>',
      'planted effects of a synthetic run ({"theta": {"CEE": ...}}), shown beside the estimates (default <out-dir>/demo/truth.json when present)',
    )
    .option('--json', 'print the written files as JSON')
    .option('--quiet', 'print nothing on success')
    .addHelpText(
      'after',
      `
Example:
  npx cger ingest --source rasters/ --years 2011-2022
  npx cger panel --yearbook output/demo/yearbook.csv --co2 output/province_year.csv
  npx cger dml --battery
  npx cger report            # -> output/report.html, output/maps/*.svg

Every input that is missing is listed at once, with the command that writes it.

The report is one self-contained HTML file (inline SVG and CSS, no network access): open it in
any browser or send it to co-authors as it is.`,
    )
    .action(async (o: ReportCliOptions) => {
      const truth = readTruth(o.truth ?? join(o.outDir, 'demo', 'truth.json'));
      const result = await runReport({
        outDir: o.outDir,
        paths: { ...(o.db ? { db: o.db } : {}), ...(o.panel ? { panel: o.panel } : {}), ...(o.tables ? { tables: o.tables } : {}) },
        boundaries: o.boundaries,
        idField: o.idField,
        nameField: o.nameField,
        truth,
        onWarning: o.quiet ? undefined : (m) => process.stderr.write(`warning: ${m}\n`),
      });
      if (o.json) process.stdout.write(JSON.stringify({ report: result.report, maps: result.maps, map_years: result.mapYears }, null, 2) + '\n');
      else if (!o.quiet) process.stderr.write(`report: ${result.report} (maps of ${result.mapYears.join(' and ')} in ${join(o.outDir, 'maps')})\n`);
    });
}
