import type { Command } from 'commander';
import { parseEncoding } from '../common/encoding.ts';
import { CgerError } from '../common/errors.ts';
import { coverageLines, type Preference, runImport } from '../yearbook/index.ts';

interface ImportCliOptions {
  out: string;
  map?: string;
  prefer: string;
  encoding?: string;
  json?: boolean;
  quiet?: boolean;
}

const PREFERENCES: Preference[] = ['error', 'first', 'newest'];

export function register(program: Command): void {
  const yearbook = program.command('yearbook').description('build the yearbook table for `cger panel` from statistics-portal exports and spreadsheets');
  yearbook
    .command('import')
    .description('merge portal exports (分省年度数据, by indicator or by region), .xlsx sheets and long tables into one yearbook CSV')
    .argument('<files...>', 'CSV exports (UTF-8, GBK/GB18030 or UTF-16, detected) or .xlsx files')
    .requiredOption('--out <csv>', 'yearbook CSV to write (province, year, one column per indicator)')
    .option('--map <json>', 'extra or overriding indicator mapping: {"<indicator>": {"column": "<yearbook column>", "factor": <multiplier>}}')
    .option(
      '--prefer <rule>',
      'when two files disagree on a value: error (list the conflicts and stop), first (file order) or newest (file modification time)',
      'error',
    )
    .option('--encoding <name>', 'encoding of every CSV input (utf8, gbk, gb18030, utf16le); detected per file when omitted')
    .option('--json', 'print the files read, the coverage per column and any conflicts as JSON on stdout')
    .option('--quiet', 'no coverage report on stderr')
    .addHelpText(
      'after',
      `
Example:
  npx cger yearbook import test/fixtures/nbs/gdp_wide_gbk.csv test/fixtures/nbs/pop_wide_excel_utf8bom.csv --out output/yearbook.csv
  npx cger panel --yearbook output/yearbook.csv --co2 output/province_year.csv

Indicators are mapped to yearbook columns and units converted by a built-in table (docs/yearbook.md,
"From the statistics portal to cger"); after the import a coverage line per column tells which
years it spans and which sample province-years have no value.`,
    )
    .action(async (files: string[], opts: ImportCliOptions) => {
      if (!PREFERENCES.includes(opts.prefer as Preference)) throw new CgerError(`--prefer ${opts.prefer}: choose one of ${PREFERENCES.join(', ')}`);
      const result = await runImport({
        files,
        out: opts.out,
        map: opts.map,
        prefer: opts.prefer as Preference,
        encoding: opts.encoding === undefined ? undefined : parseEncoding(opts.encoding),
      });
      if (!opts.quiet) {
        for (const line of result.conflict_summary)
          process.stderr.write(`cger yearbook import: conflict (kept the first named, --prefer ${opts.prefer}): ${line}\n`);
        for (const line of coverageLines(result.coverage)) process.stderr.write(`coverage: ${line}\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else
        process.stdout.write(
          `yearbook: ${result.rows} rows, ${result.columns.length} column(s) (${result.columns.join(', ')}) from ${result.files.length} file(s) -> ${result.out}\n`,
        );
    });
}
