/**
 * One PLR estimate on the CCDDHNR design at scale (run by bench/dml.ts in a child process, so its
 * peak RSS is that of this estimate alone), as `cger dml --data file.csv` makes it: the CSV read
 * by the CLI's reader, prepared, fitted, with the table held during the fit. Prints one JSON line.
 *
 *   npm run build && node --import tsx bench/dmlScale.ts --data /tmp/cger-bench-dml/ccddhnr-10000.csv [--repeat 3] [--threads 2]
 *
 * bench/dml.ts writes the CSV (bench/ccddhnr.ts, full-precision numbers) before starting it.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    'max-features': { type: 'string', default: '3' },
  },
});
if (!values.data) throw new Error('--data <csv> is required');
// The compiled modules, as the installed CLI runs them (`npm run bench:dml` builds dist/ first): under
// tsx every worker thread would first spend ~0.4 s CPU compiling the sources.
const compiled = new URL('../dist/dml/index.js', import.meta.url);
if (!existsSync(compiled)) throw new Error('dist/ is not built: run `npm run build` (npm run bench:dml does)');
const { createExecutor, loadPanel, prepareDml, runPrepared }: typeof import('../src/dml/index.ts') = await import(compiled.href);

const seed = Number(values.seed),
  threads = Number(values.threads);
const data = loadPanel(values.data);
const names = data.header.filter((h) => h !== 'y' && h !== 'd');
// DoubleML's reference: RandomForestRegressor(500 trees, max_depth 7, max_features 3, min_samples_leaf 3).
const prepared = prepareDml(data, {
  y: 'y',
  d: 'd',
  x: names,
  learner: 'rf',
  folds: 5,
  seed,
  params: { trees: 500, max_depth: 7, max_features: Number(values['max-features']), min_samples_leaf: 3 },
});
const rssBefore = process.resourceUsage().maxRSS / 1024;
const seconds: number[] = [],
  cpuSeconds: number[] = [];
let estimate = { theta: NaN, se: NaN };
for (let r = 0; r < Number(values.repeat); r++) {
  const t0 = performance.now(),
    c0 = process.cpuUsage();
  const exec = createExecutor(threads);
  try {
    estimate = await runPrepared(prepared, { executor: exec });
  } finally {
    await exec.close();
  }
  seconds.push((performance.now() - t0) / 1000);
  const c = process.cpuUsage(c0);
  cpuSeconds.push((c.user + c.system) / 1e6);
}
console.log(
  JSON.stringify({
    rows: prepared.design.n,
    threads,
    seconds,
    cpuSeconds,
    theta: estimate.theta,
    se: estimate.se,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    dataRssMb: rssBefore,
  }),
);
