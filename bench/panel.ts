/**
 * bench:panel — builds the study's panel (30 provinces x 2011-2022 from the synthetic yearbook,
 * seed 1): 360 SBM linear programs plus a super-SBM for each efficient DMU. Prints the seconds per
 * stage and the ratio to the 10 s goal of the panel issue.
 *
 *   npm run bench:panel [-- --seed 1 --frontier pooled]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildPanel, defaultPanelConfig, loadHighs, synthYearbook } from '../src/panel/index.ts';

const GOAL_SECONDS = 10;
const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, frontier: { type: 'string', default: 'contemporaneous' } } });
const config = defaultPanelConfig();
if (values.frontier === 'pooled') config.tfee.frontier = 'pooled';
console.log(
  `bench:panel  seed ${values.seed}  frontier ${config.tfee.frontier}  load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

let t = performance.now();
const synth = synthYearbook(Number(values.seed), config);
const synthSeconds = (performance.now() - t) / 1000;
t = performance.now();
await loadHighs();
const loadSeconds = (performance.now() - t) / 1000;
t = performance.now();
const cpu0 = process.cpuUsage();
const result = await buildPanel({
  yearbookText: synth.yearbookCsv,
  yearbookPath: 'synth.csv',
  co2Text: synth.co2Csv,
  co2Path: 'synth-co2.csv',
  config,
  configSource: { path: null, sha256: null },
  extrapolate: false,
});
const buildSeconds = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpu0);
const tfee = (result.meta as { tfee: { linear_programs: number } }).tfee;
console.log(`synthetic yearbook      ${synthSeconds.toFixed(2)} s`);
console.log(`HiGHS load (once)       ${loadSeconds.toFixed(2)} s`);
console.log(
  `panel build             ${buildSeconds.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU  (${result.records.length} rows, ${tfee.linear_programs} LPs, ${((1000 * buildSeconds) / tfee.linear_programs).toFixed(2)} ms per LP incl. the rest)`,
);
console.log(`ratio to the ${GOAL_SECONDS} s goal: ${((buildSeconds + loadSeconds) / GOAL_SECONDS).toFixed(2)}`);
