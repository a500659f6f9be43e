import { relative } from 'node:path';
import type { Command } from 'commander';
import { CgerError } from '../common/errors.ts';
import { runDemo } from '../demo/index.ts';
import { formatNumber } from '../report/svg.ts';
import { wholeNumber } from './options.ts';

/** Four years: with three (90 province-years against 30 province and 3 year dummies) the forests are too coarse to recover the effect. */
const QUICK_YEARS = '2011-2014';

interface DemoCliOptions {
  workdir: string;
  seed: string;
  years: string;
  quick?: boolean;
  trees?: string;
  threads?: string;
  json?: boolean;
  quiet?: boolean;
}

function parseYearRange(spec: string): [number, number] {
  const m = /^(\d{4})(?:-(\d{4}))?$/.exec(spec.trim());
  if (!m) throw new CgerError(`--years: "${spec}" is not a year range such as 2011-2022`);
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  if (from < 2001 || to > 2099 || to < from) throw new CgerError(`--years: "${spec}" must be an ascending range within 2001-2099`);
  return [from, to];
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole chain on synthetic data with a planted effect: yearbook -> ODIAC-format rasters -> ingest -> panel -> dml --battery -> report')
    .option('--workdir <dir>', 'where rasters/demo/ and output/ are written', '.')
    .option('--seed <n>', 'seed of the synthetic yearbook and rasters', '42')
    .option('--years <from-to>', 'sample years (at least 3)', '2011-2022')
    .option('--quick', 'a fast look: 2011-2014 (48 months) unless --years is given, and forests of 60 trees')
    .option('--trees <n>', "trees of the random forests and boosting stages (default: the battery's, 500 forest trees; 60 with --quick)")
    .option('--threads <n>', 'worker threads for decoding and estimation (default: all cores)')
    .option('--json', 'print the result as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Example:
  npx cger demo                 # 144 months 2011-2022 at 1 km, full battery: about 2-3 minutes on 2 cores
  npx cger demo --quick         # 2011-2014, small forests: under a minute

Writes rasters/demo/odiac${'2099'}/1km_tiff/<year>/ (a synthetic release laid out as ODIAC ships it:
per-year zips of monthly .tif.gz, md5 lists), output/demo/
(yearbook.csv, true_co2.csv, truth.json) and every output of ingest, panel, dml and report under
output/. Prints the baseline estimates next to the planted effects.`,
    )
    .action(async (o: DemoCliOptions, cmd: Command) => {
      const yearsGiven = cmd.getOptionValueSource('years') === 'cli';
      const [yearFrom, yearTo] = parseYearRange(o.quick && !yearsGiven ? QUICK_YEARS : o.years);
      const result = await runDemo({
        workdir: o.workdir,
        seed: wholeNumber(o.seed, '--seed', 0),
        yearFrom,
        yearTo,
        quick: Boolean(o.quick),
        trees: o.trees === undefined ? undefined : wholeNumber(o.trees, '--trees'),
        threads: o.threads === undefined ? undefined : wholeNumber(o.threads, '--threads'),
        quiet: Boolean(o.quiet),
      });
      const rows = result.baseline.map((e) => ({
        model: e.column,
        y: e.y,
        theta: e.theta,
        ci: [e.ci_lower, e.ci_upper] as [number, number],
        truth: result.truth[e.y],
        covered: e.ci_lower <= result.truth[e.y] && result.truth[e.y] <= e.ci_upper,
      }));
      if (o.json) {
        process.stdout.write(
          JSON.stringify({ report: result.report, baseline: rows, co2_max_rel_error: result.co2MaxRelError, seconds: result.seconds }, null, 2) + '\n',
        );
      } else {
        const lines = [
          '',
          `Report: ${relative(process.cwd(), result.report) || result.report}`,
          `Ingested CO2 vs planted: largest relative difference ${result.co2MaxRelError.toExponential(1)}`,
          'Baseline (Table 4): estimate [95% interval] vs planted effect of DCP',
          ...rows.map(
            (r) =>
              `  ${r.model.padEnd(10)} ${r.y.padEnd(5)} ${formatNumber(r.theta, 4).padStart(8)} [${formatNumber(r.ci[0], 4)}, ${formatNumber(r.ci[1], 4)}]  true ${formatNumber(r.truth, 4)}  ${r.covered ? 'inside' : 'OUTSIDE'} the interval`,
          ),
          `Time: ${Object.entries(result.seconds)
            .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
            .join(', ')}`,
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }
    });
}
