import type { Command } from 'commander';
import { parseEncoding } from '../common/encoding.ts';
import { runPanel } from '../panel/index.ts';

interface PanelCliOptions {
  yearbook: string;
  co2: string;
  release?: string;
  config: string;
  out: string;
  extrapolate?: boolean;
  require?: string;
  encoding?: string;
  json?: boolean;
  quiet?: boolean;
}

const DEFAULT_CONFIG = 'panel.config.json';

export function register(program: Command): void {
  program
    .command('panel')
    .description(
      "merge a statistical-yearbook table with provincial CO2 and build the study's variables (CEE, CIWB, DCP, TFEE, ISU, controls, instrument, labels)",
    )
    .requiredOption('--yearbook <csv>', 'yearbook table: one row per province and year (see docs/yearbook.md)')
    .option('--co2 <csv>', 'provincial CO2 per year (province_year.csv from ingest, aggregate --annual or synth --co2-out)', 'output/province_year.csv')
    .option('--release <label>', 'release to use when the CO2 file holds several')
    .option('--config <json>', 'indicators, TFEE inputs/outputs, sample and other settings (built-in defaults when the default file is absent)', DEFAULT_CONFIG)
    .option('--out <csv>', 'panel CSV; panel_meta.json and tables/table3_descriptive.{csv,md} go next to it', 'output/panel.csv')
    .option('--extrapolate', "fill missing values beyond a province's observed years by linear extrapolation (listed in the metadata)")
    .option(
      '--require <vars>',
      'comma-separated variables (or yearbook columns) that must be built, e.g. CIWB,TFEE; without it a variable whose inputs are missing is left out with a warning',
    )
    .option('--encoding <name>', 'encoding of the yearbook and CO2 files (utf8, gbk, gb18030, utf16le); detected when omitted')
    .option('--json', 'print a JSON summary (output paths, rows, filled cells, warnings) on stdout')
    .option('--quiet', 'no warnings on stderr')
    .addHelpText(
      'after',
      `
Example:
  npx cger synth yearbook --seed 7 --out /tmp/yb.csv --co2-out /tmp/co2.csv
  npx cger panel --yearbook /tmp/yb.csv --co2 /tmp/co2.csv --out output/panel.csv

Writes output/panel.csv (province_code, province, year, region, coastal, co2_t, CEE, CIWB, DCP,
DCP_pca, TFEE, ISU, lngdp, lnpop, green, human, ind, edu, env_reg, env_reg_high, iv, then
capital_stock, energy_total and the raw yearbook columns), output/panel_meta.json (entropy
weights, PCA loadings, SBM settings, filled cells, units, input hashes) and
output/tables/table3_descriptive.{csv,md}. Variables whose yearbook inputs are missing are left
out and named (with what they lack) in panel_meta.json and on stderr. Inputs may be UTF-8, GBK or
UTF-16. Columns and formulas: docs/yearbook.md.`,
    )
    .action(async (opts: PanelCliOptions, cmd: Command) => {
      const configIsDefault = cmd.getOptionValueSource('config') === 'default';
      const { result, paths } = await runPanel({
        yearbook: opts.yearbook,
        co2: opts.co2,
        release: opts.release,
        config: opts.config,
        configIsDefault,
        out: opts.out,
        extrapolate: Boolean(opts.extrapolate),
        require: opts.require
          ?.split(',')
          .map((v) => v.trim())
          .filter(Boolean),
        encoding: opts.encoding === undefined ? undefined : parseEncoding(opts.encoding),
      });
      if (!opts.quiet) for (const w of result.warnings) process.stderr.write(`cger panel: warning: ${w}\n`);
      const meta = result.meta;
      const summary = {
        panel: paths.panel,
        meta: paths.meta,
        tables: [paths.tableCsv, paths.tableMd],
        rows: result.records.length,
        provinces: meta.sample.provinces.length,
        years: [meta.sample.year_from, meta.sample.year_to],
        filled_cells: meta.filled_cells.length,
        variables: meta.variables,
        warnings: result.warnings,
      };
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else
        process.stdout.write(
          `panel: ${summary.rows} rows (${summary.provinces} provinces, ${summary.years.join('-')}), ${summary.filled_cells} filled cell(s) -> ${paths.panel}, ${paths.meta}, ${paths.tableCsv}\n`,
        );
    });
}
