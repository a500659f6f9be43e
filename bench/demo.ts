/**
 * The demo's speed goal: the default run (144 full-resolution months, 2011-2022, full battery)
 * in under 6 minutes on 2 cores. Runs it in a temporary directory and prints each stage's time
 * and the total against the goal. Usage: npm run bench:demo [-- --quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../src/demo/index.ts';

const quick = process.argv.includes('--quick');
const workdir = mkdtempSync(join(tmpdir(), 'cger-bench-demo-'));
const goal = quick ? 60 : 360;
const started = performance.now();
const cpu0 = process.cpuUsage();
try {
  const result = await runDemo({ workdir, seed: 42, yearFrom: 2011, yearTo: quick ? 2014 : 2022, quick, quiet: true });
  const total = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const files = result.release.files;
  const mb = files.reduce((s, f) => s + f.bytes, 0) / 1e6;
  console.log(`demo ${quick ? '--quick' : '(default)'}: ${files.length} monthly rasters (${mb.toFixed(0)} MB gzipped), ${availableParallelism()} cores`);
  for (const [stage, s] of Object.entries(result.seconds)) console.log(`  ${stage.padEnd(8)} ${s.toFixed(1).padStart(7)} s`);
  console.log(`  total    ${total.toFixed(1).padStart(7)} s  (goal < ${goal} s: ratio ${(total / goal).toFixed(2)})`);
  console.log(
    `  main-thread CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; per raster: write ${(result.seconds.rasters / files.length).toFixed(2)} s, ingest ${(result.seconds.ingest / files.length).toFixed(2)} s`,
  );
  console.log(
    `  CO2 recovered to ${result.co2MaxRelError.toExponential(1)} relative; baseline covers the planted effect: ${result.baseline.map((b) => `${b.column} ${b.ci_lower <= result.truth[b.y] && result.truth[b.y] <= b.ci_upper ? 'yes' : 'no'}`).join(', ')}`,
  );
} finally {
  rmSync(workdir, { recursive: true, force: true });
}
