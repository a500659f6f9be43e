import { Command, Option } from 'commander';
import { CgerError } from '../common/errors.ts';
import { wholeNumber } from './options.ts';
import { estimateDml, formatSummary, learnerHelp, loadBatterySpec, loadPanel, runBattery, type DmlSpec } from '../dml/index.ts';

interface DmlCliOptions {
  data: string;
  y?: string;
  d?: string;
  x?: string;
  z?: string;
  learner: string;
  param: string[];
  trees?: string;
  folds?: string;
  reps?: string;
  seed: string;
  foldFile?: string;
  cluster?: string;
  fe?: string;
  winsorize?: string;
  squares?: boolean;
  where?: string;
  threads?: string;
  battery?: string | boolean;
  out: string;
  json?: boolean;
  quiet?: boolean;
  strict?: boolean;
}

const list = (value: string | undefined): string[] => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : []);

function learnerParams(opts: DmlCliOptions): Record<string, number> {
  const params: Record<string, number> = {};
  for (const item of opts.param) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*(\S+)\s*$/.exec(item);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new CgerError(`--param "${item}": expected name=number, e.g. trees=200`);
    params[m[1]] = v;
  }
  if (opts.trees !== undefined) params.trees = wholeNumber(opts.trees, '--trees', 1);
  return params;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('dml')
    .description('double machine learning (partially linear PLR / PLIV, cross-fitted) on the panel: one estimate, or the study\'s Tables 4-11 with --battery')
    .option('--data <csv>', 'panel CSV', 'output/panel.csv')
    .option('--y <column>', 'outcome')
    .option('--d <column>', 'treatment')
    .option('--x <columns>', 'controls, comma-separated')
    .option('--z <column>', 'instrument (PLIV); without it PLR')
    .addOption(new Option('--learner <name>', 'learner for every nuisance function').choices(['rf', 'gbm', 'svr', 'lasso', 'ols']).default('rf'))
    .option('--param <name=value>', 'learner hyper-parameter (repeatable), e.g. --param max_features=0.5', collect, [])
    .option('--trees <n>', 'trees of rf / boosting stages of gbm (same as --param trees=N); with --battery, the default forest size')
    .option('--folds <K>', 'cross-fitting folds (default 5, or from --fold-file)')
    .option('--reps <R>', 'repeated sample splits, median-aggregated (default 1, or from --fold-file)')
    .option('--seed <n>', 'seed for the splits and the learners', '42')
    .option('--fold-file <csv>', 'impose the split: a `fold` column (0..K-1) or fold_0..fold_{R-1}, one row per observation in data order')
    .option('--cluster <column>', 'draw folds over this column\'s values and use cluster-robust variance (e.g. province)')
    .option('--fe <columns>', 'fixed effects as dummy controls, e.g. province,year')
    .option('--winsorize <share>', 'winsorise controls at share / 1 - share, e.g. 0.01')
    .option('--squares', 'add squared controls')
    .option('--where <expr>', 'subsample, e.g. \'coastal==1\', \'region=="east"\', \'env_reg_high==1 && year>=2015\'')
    .option('--threads <n>', 'worker threads (default: all cores); results do not depend on it')
    .option('--battery [spec]', 'run a battery spec (JSON; the study\'s default when no file is given)')
    .option('--out <dir>', 'battery output directory', 'output/tables')
    .option('--strict', 'with --battery: fail when any cell cannot run (default: skip it and say why in the table notes)')
    .option('--json', 'print the estimate (or the battery\'s estimates) as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText('after', `
Learners and hyper-parameters (set with --param name=value; in a battery spec with
"learner_params": {"rf": {"trees": 500}}):
${learnerHelp()}

Output (--json): {theta, se, t, p, ci_lower, ci_upper, n_obs, n_clusters, learner, folds, reps,
seed, model, y, d, z, learner_params}. Without --json: a summary laid out like DoubleML's.
Battery: <out>/table4_baseline ... table11_env_reg (.csv, .md, .tex) and <out>/estimates.json.

Examples:
  $ cger dml --data output/panel.csv --y CEE --d DCP --x lngdp,lnpop,green,human,ind,edu
  $ cger dml --y CEE --d DCP --x lngdp,lnpop,green,human,ind,edu --fe province,year --cluster province --reps 3
  $ cger dml --y CEE --d DCP --z iv --x lngdp,lnpop,green,human,ind,edu --learner gbm --json
  $ cger dml --battery --out output/tables
  $ cger dml --battery my-spec.json --data output/panel.csv`)
    .action(async (opts: DmlCliOptions) => {
      const threads = opts.threads !== undefined ? wholeNumber(opts.threads, '--threads', 1) : undefined;
      if (opts.battery !== undefined) {
        const single = (['y', 'd', 'x', 'z', 'foldFile', 'cluster', 'fe', 'winsorize', 'squares', 'where', 'folds', 'reps'] as const)
          .filter((k) => opts[k] !== undefined);
        if (single.length > 0 || opts.param.length > 0) {
          throw new CgerError(`--battery takes its models from the spec; edit the spec instead of passing ${single.length ? single.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ') : '--param'}`);
        }
        const spec = loadBatterySpec(typeof opts.battery === 'string' ? opts.battery : undefined);
        if (opts.trees !== undefined) {
          // Sets the default forest size; tables or models that set their own keep it.
          const defaults = (spec.defaults ??= {});
          const lp = (defaults.learner_params ??= {});
          lp.rf = { ...lp.rf, trees: wholeNumber(opts.trees, '--trees', 1) };
        }
        const result = await runBattery({ data: opts.data, spec, outDir: opts.out, quiet: opts.quiet, threads, strict: opts.strict });
        if (opts.json) process.stdout.write(JSON.stringify(result.estimates, null, 2) + '\n');
        else {
          process.stdout.write(`${result.estimates.length} estimates${result.skipped.length ? ` (${result.skipped.length} cell(s) skipped)` : ''} in ${result.seconds.total.toFixed(1)} s; wrote ${result.files.length} files to ${opts.out}\n`);
        }
        return;
      }
      for (const [flag, value] of [['--y', opts.y], ['--d', opts.d], ['--x', opts.x]] as const) {
        if (!value) throw new CgerError(`${flag} is required (or use --battery)`);
      }
      let winsorize = 0;
      if (opts.winsorize !== undefined) {
        winsorize = Number(opts.winsorize);
        if (!(winsorize >= 0 && winsorize < 0.5)) throw new CgerError(`--winsorize: "${opts.winsorize}" is not a share in [0, 0.5)`);
      }
      const spec: DmlSpec = {
        y: opts.y!, d: opts.d!, x: list(opts.x), z: opts.z, learner: opts.learner as DmlSpec['learner'],
        params: learnerParams(opts),
        folds: opts.folds !== undefined ? wholeNumber(opts.folds, '--folds', 2) : opts.foldFile ? undefined : 5,
        reps: opts.reps !== undefined ? wholeNumber(opts.reps, '--reps', 1) : opts.foldFile ? undefined : 1,
        seed: wholeNumber(opts.seed, '--seed', 0), foldFile: opts.foldFile, cluster: opts.cluster, fe: list(opts.fe),
        winsorize, squares: Boolean(opts.squares), where: opts.where,
      };
      const e = await estimateDml(loadPanel(opts.data), spec, { threads });
      if (opts.json) {
        const { theta, se, t, p, ci_lower, ci_upper, n_obs, n_clusters, learner, folds, reps, seed, model, y, d, z, learner_params } = e;
        process.stdout.write(JSON.stringify({ theta, se, t, p, ci_lower, ci_upper, n_obs, n_clusters, learner, folds, reps, seed, model, y, d, z, learner_params }, null, 2) + '\n');
      } else process.stdout.write(formatSummary(e));
    });
}
