import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadZones } from '../../src/boundaries/index.ts';
import { CgerError } from '../../src/common/errors.ts';
import { createRng, type Rng } from '../../src/common/random.ts';
import { boundary, tempDir } from '../helpers.ts';
import { ZONES } from './harness.ts';

/** Cases per format: `npm run test:fuzz` raises it with CGER_FUZZ_CASES. */
const CASES = Math.max(60, Math.round(Number(process.env.CGER_FUZZ_CASES ?? 320) / 4));
const WGS84 = { epsg: 4326, definition: 'EPSG:4326' };

/** Loads `path`; fine if it loads, else it must be a short CgerError naming `names`. */
async function judge(path: string, names: string, label: string): Promise<string | null> {
  const t0 = performance.now();
  try {
    await loadZones(path, { targetCrs: WGS84, onWarning: () => {} });
  } catch (err) {
    if (!(err instanceof CgerError)) return `${label}: ${(err as Error).name}: ${(err as Error).message}`;
    if (!err.message.includes(names)) return `${label}: does not name the file: ${err.message}`;
    if (err.message.split('\n').length > 3 || err.message.length > 800) return `${label}: too long: ${err.message.slice(0, 200)}`;
  }
  const seconds = (performance.now() - t0) / 1000;
  return seconds > 10 ? `${label}: took ${seconds.toFixed(1)} s` : null;
}

function mutateText(text: string, rng: Rng): [string, string] {
  const chars = '{}[],:"0123456789.-eE ntrufalsNaI\\';
  const at = rng.int(text.length);
  switch (rng.int(4)) {
    case 0:
      return [text.slice(0, at), `cut at ${at}`];
    case 1:
      return [text.slice(0, at) + chars[rng.int(chars.length)] + text.slice(at + 1), `char ${at} replaced`];
    case 2:
      return [text.slice(0, at) + text.slice(at + 1 + rng.int(40)), `chars deleted at ${at}`];
    default:
      return [text.replace(/-?\d+\.\d+/g, (m) => (rng.next() < 0.05 ? String(Number(m) * 1e5) : m)), 'coordinates scaled'];
  }
}

function mutateBytes(bytes: Buffer, rng: Rng): [Buffer, string] {
  const out = Buffer.from(bytes);
  const header = Math.min(out.length, 100);
  switch (rng.int(4)) {
    case 0: {
      const cut = rng.int(out.length);
      return [out.subarray(0, cut), `cut at ${cut}`];
    }
    case 1: {
      const at = rng.int(header - 4);
      out.writeInt32LE(rng.next() < 0.5 ? -1 : rng.int(2 ** 31), at);
      return [out, `header int at ${at}`];
    }
    case 2: {
      const at = rng.int(header - 4);
      out.writeInt32BE(rng.next() < 0.5 ? 0x7fffffff : rng.int(2 ** 31), at);
      return [out, `header int (BE) at ${at}`];
    }
    default: {
      const at = rng.int(out.length);
      out[at] ^= 1 << rng.int(8);
      return [out, `bit flipped at ${at}`];
    }
  }
}

test(`fuzz: ${CASES} mutated GeoJSON files load or give a short error naming the file`, { timeout: 10 * 60_000 }, async () => {
  const dir = tempDir('fuzz-geojson');
  const text = readFileSync(ZONES, 'utf8');
  const problems: string[] = [];
  for (let seed = 0; seed < CASES; seed++) {
    const [mutated, label] = mutateText(text, createRng(seed));
    const path = join(dir, `case${seed}.geojson`);
    writeFileSync(path, mutated);
    const problem = await judge(path, path, `seed ${seed} (${label})`);
    if (problem) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

test(`fuzz: ${CASES}+ mutated shapefiles (.shp, .shx, .dbf) load or give a short error naming the file`, { timeout: 10 * 60_000 }, async () => {
  const source = boundary('cn-provinces-albers');
  const parts = readdirSync(source);
  const problems: string[] = [];
  // Seeds that once crashed the loader (a cut .dbf, a header int in it, geometry the repair could not rebuild), run always.
  const seeds = [...Array.from({ length: CASES }, (_, i) => i), 41, 94, 203].filter((s, i, all) => all.indexOf(s) === i);
  for (const seed of seeds) {
    const rng = createRng(1000 + seed);
    const dir = join(tempDir('fuzz-shp'), 'shp');
    mkdirSync(dir);
    const victim = parts.filter((p) => /\.(shp|shx|dbf)$/i.test(p))[rng.int(3)];
    let label = '';
    for (const p of parts) {
      if (p !== victim) {
        copyFileSync(join(source, p), join(dir, p));
        continue;
      }
      const [bytes, how] = mutateBytes(readFileSync(join(source, p)), rng);
      writeFileSync(join(dir, p), bytes);
      label = `${p}: ${how}`;
    }
    const problem = await judge(dir, dir, `seed ${seed} (${label})`);
    if (problem) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});
