import { type Command, Option } from 'commander';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { CgerError } from '../common/errors.ts';
import {
  contourSvg,
  type DmlEstimate,
  type DmlSpec,
  estimateDml,
  formatSummary,
  learnerHelp,
  learnerNames,
  loadBatterySpec,
  loadPanel,
  parseScenario,
  parseTuneGrid,
  runBattery,
  type SensitivityBenchmark,
  sensitivityBenchmark,
  type TableStat,
  withTrees,
} from '../dml/index.ts';
import { wholeNumber } from './options.ts';

interface DmlCliOptions {
  data: string;
  y?: string;
  d?: string;
  x?: string;
  z?: string;
  model?: string;
  score?: string;
  trimming?: string;
  learner: string;
  learnerL?: string;
  learnerM?: string;
  learnerR?: string;
  learnerG?: string;
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
  dropMissing?: boolean;
  tune?: boolean;
  tuneGrid: string[];
  tuneFolds?: string;
  sensitivity?: string | true;
  sensitivityBenchmark?: string;
  sensitivityPlot?: string;
  threads?: string;
  battery?: string | boolean;
  tableStat: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
  strict?: boolean;
}

const list = (value: string | undefined): string[] =>
  value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** --param name=value (for --learner) or learner.name=value (for any learner). */
function learnerParams(opts: DmlCliOptions): { params: Record<string, number>; perLearner: Record<string, Record<string, number>> } {
  const params: Record<string, number> = {};
  const perLearner: Record<string, Record<string, number>> = {};
  for (const item of opts.param) {
    const m = /^\s*(?:([A-Za-z]+)\.)?([A-Za-z_]+)\s*=\s*(\S+)\s*$/.exec(item);
    const v = m ? Number(m[3]) : NaN;
    if (!m || !Number.isFinite(v)) throw new CgerError(`--param "${item}": expected name=number or learner.name=number, e.g. trees=200 or logit.tol=1e-10`);
    if (m[1]) (perLearner[m[1]] ??= {})[m[2]] = v;
    else params[m[2]] = v;
  }
  if (opts.trees !== undefined) params.trees = wholeNumber(opts.trees, '--trees', 1);
  return { params, perLearner };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The estimate as --json prints it (the per-repetition scores stay internal). */
function jsonOf(e: DmlEstimate, benchmark?: SensitivityBenchmark, plot?: string): Record<string, unknown> {
  const { sensitivityInputs: _internal, ...rest } = e;
  return { ...rest, ...(benchmark ? { sensitivity_benchmark: benchmark } : {}), ...(plot ? { sensitivity_plot: plot } : {}) };
}

export function register(program: Command): void {
  const learners = learnerNames();
  program
    .command('dml')
    .description("double machine learning (PLR / PLIV / IRM, cross-fitted) on the panel: one estimate, or the study's Tables 4-11 with --battery")
    .option('--data <csv>', 'panel CSV', 'output/panel.csv')
    .option('--y <column>', 'outcome')
    .option('--d <column>', 'treatment')
    .option('--x <columns>', 'controls, comma-separated')
    .option('--z <column>', 'instrument (PLIV); without it PLR')
    .addOption(new Option('--model <name>', 'plr (default), pliv (with --z) or irm (binary treatment)').choices(['plr', 'pliv', 'irm']))
    .addOption(new Option('--score <name>', 'IRM target: ATE (default) or ATTE').choices(['ATE', 'ATTE']))
    .option('--trimming <t>', 'IRM: truncate propensity scores to [t, 1 - t] (default 0.01)')
    .addOption(new Option('--learner <name>', 'learner of every nuisance function (unless set per role below)').choices(learners).default('rf'))
    .addOption(new Option('--learner-l <name>', 'learner of ml_l = E[Y|X] (PLR, PLIV)').choices(learners))
    .addOption(new Option('--learner-m <name>', 'learner of ml_m = E[D|X], or P(D=1|X) in IRM (a classifier: logit, rf, gbm)').choices(learners))
    .addOption(new Option('--learner-r <name>', 'learner of ml_r = E[Z|X] (PLIV)').choices(learners))
    .addOption(new Option('--learner-g <name>', 'learner of ml_g0, ml_g1 = E[Y|X,D=0/1] (IRM)').choices(learners))
    .option(
      '--param <name=value>',
      'hyper-parameter of --learner, or of any learner as learner.name=value (repeatable), e.g. --param max_features=3 --param logit.tol=1e-10',
      collect,
      [],
    )
    .option('--trees <n>', 'trees of rf / boosting stages of gbm (same as --param trees=N); with --battery, for every forest and boosting run')
    .option('--folds <K>', 'cross-fitting folds (default 5, or from --fold-file)')
    .option('--reps <R>', 'repeated sample splits, median-aggregated (default 1, or from --fold-file)')
    .option('--seed <n>', 'seed for the splits and the learners', '42')
    .option('--fold-file <csv>', 'impose the split: a `fold` column (0..K-1) or fold_0..fold_{R-1}, one row per observation in data order')
    .option('--cluster <column>', "draw folds over this column's values and use cluster-robust variance (e.g. province)")
    .option('--fe <columns>', 'fixed effects as dummy controls, e.g. province,year')
    .option('--winsorize <share>', 'winsorise controls at share / 1 - share, e.g. 0.01')
    .option('--squares', 'add squared controls')
    .option('--where <expr>', "subsample, e.g. 'coastal==1', 'region==\"east\"', 'env_reg_high==1 && year>=2015'")
    .option('--drop-missing', 'drop rows with a missing value (empty or NA) in any column used (listwise); the count is reported')
    .option('--tune', 'choose hyper-parameters per nuisance function by inner 5-fold cross-validation on each training fold')
    .option(
      '--tune-grid <items>',
      'grid for --tune, e.g. "rf.max_features=0.33,0.66,0 rf.min_samples_leaf=1,5" (repeatable; defaults per learner below)',
      collect,
      [],
    )
    .option('--tune-folds <k>', 'inner folds of --tune (default 5)')
    .option('--sensitivity [scenario]', 'omitted-variable-bias bounds and robustness values (PLR, IRM), e.g. cf_y=0.03,cf_d=0.03,rho=1,level=0.95,null=0')
    .option('--sensitivity-benchmark <controls>', 'calibrate cf_y, cf_d, rho by refitting without these controls (comma-separated), e.g. lngdp')
    .option('--sensitivity-plot <svg>', 'write a contour plot of the bound over cf_y x cf_d (implies --sensitivity)')
    .option('--threads <n>', 'worker threads (default: all cores); results do not depend on it')
    .option('--battery [spec]', "run a battery spec (JSON; the study's default when no file is given)")
    .addOption(new Option('--table-stat <stat>', 'battery tables: t statistics or standard errors in parentheses').choices(['t', 'se']).default('t'))
    .option('--out <dir>', 'battery output directory', 'output/tables')
    .option('--strict', 'with --battery: fail when any cell cannot run (default: skip it and say why in the table notes)')
    .option('--json', "print the estimate (or the battery's estimates) as JSON")
    .option('--quiet', 'no progress output or warnings on stderr')
    .addHelpText(
      'after',
      `
Learners and hyper-parameters (set with --param name=value; in a battery spec with
"learner_params": {"rf": {"trees": 500}}):
${learnerHelp()}
rf's max_features: a share of the controls (0 < x < 1, e.g. 0.34), a count (a whole number >= 1,
e.g. 3), or 0 = all of them (the default, as scikit-learn's regression forest).

Output (--json): theta, se, t, p, ci_lower, ci_upper, n_obs, model, score, learners per nuisance
(nuisances, with tuned values and CV losses under --tune), omitted_controls, dropped_missing,
first_stage (PLIV: effective F), sensitivity {cf_y, cf_d, rho, level, theta_lower, theta_upper,
ci_lower, ci_upper, rv, rva}, sensitivity_benchmark, warnings. Without --json: a summary laid out
like DoubleML's. Battery: <out>/table4_baseline ... table11_env_reg (.csv, .md, .tex),
table4_baseline_sensitivity (.csv, .md, .tex, _contour.svg) and <out>/estimates.json.

Examples:
  npx cger dml --data output/panel.csv --y CEE --d DCP --x lngdp,lnpop,green,human,ind,edu
  npx cger dml --y CEE --d DCP --x lngdp,lnpop,green,human,ind,edu --fe province,year --cluster province --reps 3
  npx cger dml --y CEE --d DCP --x lngdp,lnpop,green,human,ind,edu --sensitivity --sensitivity-benchmark lngdp --sensitivity-plot output/sensitivity.svg
  npx cger dml --y CEE --d env_reg_high --x lngdp,lnpop,green,human,ind,edu --model irm --score ATE --learner rf --learner-m logit
  npx cger dml --y CEE --d DCP --x lngdp,lnpop,green,human,ind,edu --tune --tune-grid "rf.max_features=0.33,0.66,0" --trees 200
  npx cger dml --y CEE --d DCP --z iv --x lngdp,lnpop,green,human,ind,edu --learner gbm --json
  npx cger dml --battery --out output/tables --table-stat se
  npx cger dml --battery my-spec.json --data output/panel.csv`,
    )
    .action(async (opts: DmlCliOptions) => {
      const threads = opts.threads !== undefined ? wholeNumber(opts.threads, '--threads', 1) : undefined;
      if (opts.battery !== undefined) {
        const single = (
          [
            'y',
            'd',
            'x',
            'z',
            'foldFile',
            'cluster',
            'fe',
            'winsorize',
            'squares',
            'where',
            'folds',
            'reps',
            'model',
            'score',
            'trimming',
            'learnerL',
            'learnerM',
            'learnerR',
            'learnerG',
            'dropMissing',
            'tune',
            'sensitivity',
            'sensitivityBenchmark',
            'sensitivityPlot',
          ] as const
        ).filter((k) => opts[k] !== undefined);
        if (single.length > 0 || opts.param.length > 0) {
          throw new CgerError(
            `--battery takes its models from the spec; edit the spec instead of passing ${single.length ? single.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ') : '--param'}`,
          );
        }
        let spec = loadBatterySpec(typeof opts.battery === 'string' ? opts.battery : undefined);
        if (opts.trees !== undefined) spec = withTrees(spec, wholeNumber(opts.trees, '--trees', 1));
        const result = await runBattery({
          data: opts.data,
          spec,
          outDir: opts.out,
          quiet: opts.quiet,
          threads,
          strict: opts.strict,
          tableStat: opts.tableStat as TableStat,
        });
        if (opts.json) process.stdout.write(JSON.stringify(result.estimates, null, 2) + '\n');
        else {
          process.stdout.write(
            `${result.estimates.length} estimates${result.skipped.length ? ` (${result.skipped.length} cell(s) skipped)` : ''} in ${result.seconds.total.toFixed(1)} s; wrote ${result.files.length} files to ${opts.out}\n`,
          );
        }
        return;
      }
      for (const [flag, value] of [
        ['--y', opts.y],
        ['--d', opts.d],
        ['--x', opts.x],
      ] as const) {
        if (!value) throw new CgerError(`${flag} is required (or use --battery)`);
      }
      let winsorize = 0;
      if (opts.winsorize !== undefined) {
        winsorize = Number(opts.winsorize);
        if (!(winsorize >= 0 && winsorize < 0.5)) throw new CgerError(`--winsorize: "${opts.winsorize}" is not a share in [0, 0.5)`);
      }
      let trimming: number | undefined;
      if (opts.trimming !== undefined) {
        trimming = Number(opts.trimming);
        if (!(trimming >= 0 && trimming < 0.5)) throw new CgerError(`--trimming: "${opts.trimming}" is not a share in [0, 0.5)`);
      }
      const { params, perLearner } = learnerParams(opts);
      const wantSensitivity = opts.sensitivity !== undefined || opts.sensitivityBenchmark !== undefined || opts.sensitivityPlot !== undefined;
      const spec: DmlSpec = {
        y: opts.y!,
        d: opts.d!,
        x: list(opts.x),
        z: opts.z,
        model: opts.model as DmlSpec['model'],
        score: opts.score as DmlSpec['score'],
        trimming,
        learner: opts.learner,
        params,
        learnerParams: perLearner,
        learners: { l: opts.learnerL, m: opts.learnerM, r: opts.learnerR, g: opts.learnerG },
        folds: opts.folds !== undefined ? wholeNumber(opts.folds, '--folds', 2) : opts.foldFile ? undefined : 5,
        reps: opts.reps !== undefined ? wholeNumber(opts.reps, '--reps', 1) : opts.foldFile ? undefined : 1,
        seed: wholeNumber(opts.seed, '--seed', 0),
        foldFile: opts.foldFile,
        cluster: opts.cluster,
        fe: list(opts.fe),
        winsorize,
        squares: Boolean(opts.squares),
        where: opts.where,
        dropMissing: Boolean(opts.dropMissing),
        tune:
          opts.tune || opts.tuneGrid.length > 0
            ? { grid: parseTuneGrid(opts.tuneGrid), folds: opts.tuneFolds !== undefined ? wholeNumber(opts.tuneFolds, '--tune-folds', 2) : undefined }
            : undefined,
        sensitivity: wantSensitivity ? parseScenario(opts.sensitivity ?? true) : undefined,
      };
      const data = loadPanel(opts.data);
      const e = await estimateDml(data, spec, { threads });
      const benchmark =
        opts.sensitivityBenchmark !== undefined ? await sensitivityBenchmark(data, spec, e, list(opts.sensitivityBenchmark), { threads }) : undefined;
      if (opts.sensitivityPlot) {
        const marks = benchmark ? [{ label: `benchmark ${benchmark.controls.join(', ')}`, cf_y: benchmark.cf_y, cf_d: benchmark.cf_d }] : [];
        writeFileAtomic(opts.sensitivityPlot, contourSvg(e, { title: `${e.d} on ${e.y}`, benchmarks: marks }));
      }
      if (!opts.quiet && opts.json) for (const w of e.warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.json) process.stdout.write(JSON.stringify(jsonOf(e, benchmark, opts.sensitivityPlot), null, 2) + '\n');
      else process.stdout.write(formatSummary(e, benchmark));
    });
}
