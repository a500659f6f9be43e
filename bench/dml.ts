/**
 * bench:dml — the study's full battery (default spec: random forest with 500 trees, K = 5) on the
 * 360-row panel; prints seconds per estimate and in total, and the ratio to the reference
 * (DoubleML 0.8 + scikit-learn RF, 500 trees, all features per split, one core: 7.2 s per PLR
 * estimate at n = 360, measured on this machine class).
 * Then PLR at scale on the CCDDHNR design (bench/ccddhnr.ts; 10,000 and 100,000 rows x 20, and a
 * binary-treatment variant at 10,000), written to CSV files and each estimated in its own process
 * as `cger dml --data` would (bench/dmlScale.ts, so that its peak RSS is its own), against DoubleML
 * 0.8's recorded fit() times (goal <= 0.2x).
 *
 *   npm run bench:dml [-- --threads 2] [--data output/panel.csv] [--parts battery,10k,10k-binary,100k] [--repeat 3]
 *
 * Without --data it uses output/panel.csv when present, else builds the panel from the panel
 * stage's synthetic yearbook (seed 1), as `cger synth yearbook` + `cger panel` would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCsv, formatCsvRecords } from '../src/common/csv.ts';
import { runBattery } from '../src/dml/index.ts';
import { buildPanel, defaultPanelConfig, synthYearbook } from '../src/panel/index.ts';
import { ccddhnr } from './ccddhnr.ts';

const REFERENCE_SECONDS_PER_PLR = 7.2;
/** DoubleML 0.8's fit() seconds and estimates on the CCDDHNR design (500 trees, depth 7, 3 features, leaf 3, 5 folds). */
const DOUBLEML = { 10000: { seconds: 29.5, theta: 0.5349, se: 0.0091 }, 100000: { seconds: 324, theta: 0.5236, se: 0.003 } } as const;
const GOAL_RATIO = 0.2,
  GOAL_RSS_MB = 600;

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    data: { type: 'string' },
    out: { type: 'string', default: '/tmp/cger-bench-dml/tables' },
    parts: { type: 'string', default: 'battery,10k,10k-binary,100k' },
    repeat: { type: 'string', default: '1' },
  },
});
const parts = new Set(values.parts!.split(','));
const threads = Number(values.threads);
if (parts.has('battery')) await benchBattery();
await benchScale();

async function benchBattery(): Promise<void> {
  let data = values.data;
  if (!data) {
    if (existsSync('output/panel.csv')) data = 'output/panel.csv';
    else {
      mkdirSync('/tmp/cger-bench-dml', { recursive: true });
      data = '/tmp/cger-bench-dml/panel.csv';
      const config = defaultPanelConfig();
      const synth = synthYearbook(1, config);
      const panel = await buildPanel({
        yearbookText: synth.yearbookCsv,
        yearbookPath: 'synth-yearbook.csv',
        co2Text: synth.co2Csv,
        co2Path: 'synth-co2.csv',
        config,
        configSource: { path: null, sha256: null },
        extrapolate: false,
      });
      writeFileSync(data, formatCsvRecords(panel.header, panel.records));
    }
  }
  console.log(
    `bench:dml  data ${data}  threads ${threads}  cores ${cpus().length}  load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  const cpu0 = process.cpuUsage();
  const result = await runBattery({ data, outDir: values.out!, quiet: true, threads });
  const cpu = process.cpuUsage(cpu0);

  console.log('\ntable                 column                  learner  model  controls   n  wall s   CPU s');
  result.estimates.forEach((e, i) => {
    console.log(
      `${e.table.padEnd(22)}${e.column.padEnd(24)}${e.learner.padEnd(9)}${e.model.padEnd(7)}${String(e.options.controls.length).padStart(8)}${String(e.n_obs).padStart(5)}${result.seconds.perEstimate[i].toFixed(2).padStart(8)}${result.seconds.cpuPerEstimate[i].toFixed(2).padStart(8)}`,
    );
  });
  const rf = result.estimates
    .map((e, i) => ({ e, s: result.seconds.perEstimate[i], c: result.seconds.cpuPerEstimate[i] }))
    .filter(({ e }) => e.learner === 'rf');
  const fullPlr = rf.filter(({ e }) => e.model === 'plr' && e.n_obs === 360 && e.K === 5);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const perPlr = mean(fullPlr.map(({ s }) => s));
  const cpuPlr = mean(fullPlr.map(({ c }) => c));
  console.log(
    `\n${result.estimates.length} estimates in ${result.seconds.total.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (all threads)`,
  );
  console.log(`mean per estimate: ${mean(result.seconds.perEstimate).toFixed(2)} s`);
  console.log(
    `RF PLR at n = 360, K = 5, 500 trees (${fullPlr.length} estimates): ${perPlr.toFixed(2)} s each, ` +
      `${(REFERENCE_SECONDS_PER_PLR / perPlr).toFixed(1)}x the reference (${REFERENCE_SECONDS_PER_PLR} s on one core; goal >= 2x)`,
  );
  console.log(`  CPU per such estimate: ${cpuPlr.toFixed(2)} s (all threads; ${(REFERENCE_SECONDS_PER_PLR / cpuPlr).toFixed(1)}x less CPU than the reference)`);
  console.log('  (wall times are only meaningful on an otherwise idle machine; see the load average above)');
}

/** The CCDDHNR sample (seed 1) as a CSV file for `cger dml --data`, written once per size and variant. */
function scaleCsv(rows: number, binary: boolean): string {
  const path = `/tmp/cger-bench-dml/ccddhnr-${rows}${binary ? '-binary' : ''}-seed1.csv`;
  if (existsSync(path)) return path;
  mkdirSync('/tmp/cger-bench-dml', { recursive: true });
  const data = ccddhnr(rows, 1, binary);
  const header = ['y', 'd', ...data.x.map((_, j) => `x${j + 1}`)];
  const table = Array.from({ length: rows }, (_, i) => [data.y[i], data.d[i], ...data.x.map((col) => col[i])]);
  writeFileSync(`${path}.tmp`, formatCsv(header, table));
  renameSync(`${path}.tmp`, path);
  return path;
}

async function benchScale(): Promise<void> {
  const runs = [
    { part: '10k', rows: 10000, binary: false },
    { part: '10k-binary', rows: 10000, binary: true },
    { part: '100k', rows: 100000, binary: false },
  ].filter((r) => parts.has(r.part));
  if (runs.length === 0) return;
  console.log(
    `\nPLR at scale, CCDDHNR design (x 20), RF 500 trees, max_depth 7, max_features 3, min_samples_leaf 3, K = 5; threads ${threads}; best of ${values.repeat}`,
  );
  console.log('rows     treatment  wall s (best)  CPU s  ratio to DoubleML  peak RSS MB  theta (se)        DoubleML theta (se)');
  const script = fileURLToPath(new URL('dmlScale.ts', import.meta.url));
  for (const run of runs) {
    const csv = scaleCsv(run.rows, run.binary);
    const child = spawnSync(process.execPath, [...process.execArgv, script, '--data', csv, '--threads', String(threads), '--repeat', values.repeat!], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`bench ${run.part} failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!);
    const best = Math.min(...r.seconds);
    const cpu = r.cpuSeconds[r.seconds.indexOf(best)];
    const ref = DOUBLEML[run.rows as 10000 | 100000];
    console.log(
      `${String(run.rows).padEnd(9)}${(run.binary ? 'binary' : 'continuous').padEnd(11)}${best.toFixed(1).padStart(13)}${cpu.toFixed(1).padStart(7)}` +
        `${`${(best / ref.seconds).toFixed(3)}x${run.binary ? '*' : ''}`.padStart(19)}${r.peakRssMb.toFixed(0).padStart(13)}  ${r.theta.toFixed(4)} (${r.se.toFixed(4)})` +
        `   ${run.binary ? '-' : `${ref.theta} (${ref.se})`}`,
    );
  }
  console.log(
    `goal: ratio <= ${GOAL_RATIO} (DoubleML ${DOUBLEML[10000].seconds} s at 10,000 rows, ${DOUBLEML[100000].seconds} s at 100,000), peak RSS <= ${GOAL_RSS_MB} MB at 100,000`,
  );
  console.log('* no DoubleML figure for the binary variant: ratio to the continuous design of the same size');
  console.log("(each sample is drawn anew, seed 1: theta differs from DoubleML's by sampling noise, truth 0.5)");
}
