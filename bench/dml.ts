/**
 * bench:dml — the study's full battery (default spec: random forest with 500 trees, K = 5) on the
 * 360-row panel; prints seconds per estimate and in total, and the ratio to the reference
 * (DoubleML 0.8 + scikit-learn RF, 500 trees, all features per split, one core: 7.2 s per PLR
 * estimate at n = 360, measured on this machine class).
 *
 *   npm run bench:dml [-- --threads 2] [--data output/panel.csv]
 *
 * Without --data it uses output/panel.csv when present, else builds the panel from the panel
 * stage's synthetic yearbook (seed 1), as `cger synth yearbook` + `cger panel` would.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { formatCsvRecords } from '../src/common/csv.ts';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runBattery } from '../src/dml/index.ts';
import { buildPanel, defaultPanelConfig, synthYearbook } from '../src/panel/index.ts';

const REFERENCE_SECONDS_PER_PLR = 7.2;

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    data: { type: 'string' },
    out: { type: 'string', default: '/tmp/cger-bench-dml/tables' },
  },
});
let data = values.data;
if (!data) {
  if (existsSync('output/panel.csv')) data = 'output/panel.csv';
  else {
    mkdirSync('/tmp/cger-bench-dml', { recursive: true });
    data = '/tmp/cger-bench-dml/panel.csv';
    const config = defaultPanelConfig();
    const synth = synthYearbook(1, config);
    const panel = await buildPanel({
      yearbookText: synth.yearbookCsv, yearbookPath: 'synth-yearbook.csv', co2Text: synth.co2Csv, co2Path: 'synth-co2.csv',
      config, configSource: { path: null, sha256: null }, extrapolate: false,
    });
    writeFileSync(data, formatCsvRecords(panel.header, panel.records));
  }
}
const threads = Number(values.threads);
console.log(`bench:dml  data ${data}  threads ${threads}  cores ${cpus().length}  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const cpu0 = process.cpuUsage();
const result = await runBattery({ data, outDir: values.out!, quiet: true, threads });
const cpu = process.cpuUsage(cpu0);

console.log('\ntable                 column                  learner  model  controls   n  wall s   CPU s');
result.estimates.forEach((e, i) => {
  console.log(`${e.table.padEnd(22)}${e.column.padEnd(24)}${e.learner.padEnd(9)}${e.model.padEnd(7)}${String(e.options.controls.length).padStart(8)}${String(e.n_obs).padStart(5)}${result.seconds.perEstimate[i].toFixed(2).padStart(8)}${result.seconds.cpuPerEstimate[i].toFixed(2).padStart(8)}`);
});
const rf = result.estimates.map((e, i) => ({ e, s: result.seconds.perEstimate[i], c: result.seconds.cpuPerEstimate[i] })).filter(({ e }) => e.learner === 'rf');
const fullPlr = rf.filter(({ e }) => e.model === 'plr' && e.n_obs === 360 && e.K === 5);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const perPlr = mean(fullPlr.map(({ s }) => s));
const cpuPlr = mean(fullPlr.map(({ c }) => c));
console.log(`\n${result.estimates.length} estimates in ${result.seconds.total.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (all threads)`);
console.log(`mean per estimate: ${mean(result.seconds.perEstimate).toFixed(2)} s`);
console.log(`RF PLR at n = 360, K = 5, 500 trees (${fullPlr.length} estimates): ${perPlr.toFixed(2)} s each, `
  + `${(REFERENCE_SECONDS_PER_PLR / perPlr).toFixed(1)}x the reference (${REFERENCE_SECONDS_PER_PLR} s on one core; goal >= 2x)`);
console.log(`  CPU per such estimate: ${cpuPlr.toFixed(2)} s (all threads; ${(REFERENCE_SECONDS_PER_PLR / cpuPlr).toFixed(1)}x less CPU than the reference)`);
console.log('  (wall times are only meaningful on an otherwise idle machine; see the load average above)');
