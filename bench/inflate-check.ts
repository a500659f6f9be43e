/**
 * Cost of checking each DEFLATE strip to its end (Adler-32) when only a prefix is kept: ODIAC-like
 * strips (43,200 Float32 cells, zeros with values over the columns of China), kept up to column
 * 37,800 (China's east edge), inflated by this tree's inflater and, when given, by the inflater of
 * another tree (e.g. the code before the check). Alternates the two, best of `reps`.
 * Run: node --import tsx bench/inflate-check.ts [other-tree-root] [reps]
 */
import { deflateSync } from 'node:zlib';
import { createRng } from '../src/common/random.ts';
import { createInflater } from '../src/raster/decode.ts';

const [otherRoot, repsArg] = process.argv.slice(2);
const reps = Number(repsArg ?? 5);
const WIDTH = 43200;
const KEEP = 37800 * 4;
const rng = createRng(7);
const strips = Array.from({ length: 600 }, () => {
  const row = new Float32Array(WIDTH);
  for (let c = 30420; c < 37800; c++) if (rng.next() < 0.6) row[c] = rng.next() * 1000;
  return deflateSync(new Uint8Array(row.buffer), { level: 6 });
});
type Inflate = (bytes: Uint8Array, into: Uint8Array, capacity?: number) => number;
const contenders: Array<[string, Inflate]> = [['checked (this tree)', createInflater()]];
if (otherRoot) {
  const other = await import(`${otherRoot}/src/raster/decode.ts`);
  contenders.push([`prefix only (${otherRoot})`, other.createInflater()]);
}
const best = new Map<string, number>();
const into = new Uint8Array(KEEP);
for (let r = 0; r < reps; r++) {
  for (const [name, inflate] of contenders) {
    const t = performance.now();
    for (const s of strips) inflate(s, into, WIDTH * 4);
    const ms = performance.now() - t;
    best.set(name, Math.min(best.get(name) ?? Infinity, ms));
  }
}
for (const [name, ms] of best) console.log(`${name}: ${ms.toFixed(1)} ms for ${strips.length} strips (best of ${reps})`);
if (otherRoot) {
  const [a, b] = [...best.values()];
  console.log(`ratio checked / prefix-only: ${(a / b).toFixed(3)}`);
}
