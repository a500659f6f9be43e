/**
 * One PLR estimate on the CCDDHNR design at scale (run by bench/dml.ts in a child process, so its
 * peak RSS is that of this estimate alone). Prints one JSON line.
 *
 *   npm run build && node --import tsx bench/dmlScale.ts --rows 10000 [--binary] [--repeat 3] [--threads 2]
 */

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ccddhnr } from './ccddhnr.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    binary: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    'max-features': { type: 'string', default: '3' },
  },
});
// The compiled modules, as the installed CLI runs them (`npm run bench:dml` builds dist/ first): under
// tsx every worker thread would first spend ~0.4 s CPU compiling the sources.
const compiled = new URL('../dist/dml/index.js', import.meta.url);
if (!existsSync(compiled)) throw new Error('dist/ is not built: run `npm run build` (npm run bench:dml does)');
const { createExecutor, prepareDml, runPrepared }: typeof import('../src/dml/index.ts') = await import(compiled.href);

const n = Number(values.rows),
  seed = Number(values.seed),
  threads = Number(values.threads);
/** Through prepareDml as `cger dml --data` would: full-precision strings round-trip the doubles exactly. */
function prepare() {
  const data = ccddhnr(n, seed, values.binary);
  const names = data.x.map((_, j) => `x${j + 1}`);
  const records = Array.from({ length: n }, (_, i) => ({
    line: i + 2,
    values: Object.fromEntries([['y', String(data.y[i])], ['d', String(data.d[i])], ...names.map((name, j) => [name, String(data.x[j][i])])]),
  }));
  // DoubleML's reference: RandomForestRegressor(500 trees, max_depth 7, max_features 3, min_samples_leaf 3).
  return prepareDml(
    { header: ['y', 'd', ...names], records, source: `CCDDHNR design, ${n} rows` },
    {
      y: 'y',
      d: 'd',
      x: names,
      learner: 'rf',
      folds: 5,
      seed,
      params: { trees: 500, max_depth: 7, max_features: Number(values['max-features']), min_samples_leaf: 3 },
    },
  );
}
// The string records (as a CSV reader holds them) are garbage once the design is built.
const prepared = prepare();
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
    rows: n,
    binary: values.binary,
    threads,
    seconds,
    cpuSeconds,
    theta: estimate.theta,
    se: estimate.se,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    dataRssMb: rssBefore,
  }),
);
