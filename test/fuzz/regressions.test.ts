import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, tempDir } from '../helpers.ts';
import { defaultGeo, makeTiff } from '../raster/makeTiff.ts';
import { BASE_GRID } from './baseGrid.ts';
import { BASE_DIR, errorProblem, openFuzzZones, runCase, sameSums, ZONES } from './harness.ts';

/** Inputs that once crashed, hung or fooled cger, and what each must give now. */
const EXPECTED: Record<string, RegExp> = {
  'lzw_cyclic_chain.tif': /strip 0 \(rows 0-29\) failed to decode: LZW code 330 beyond the dictionary/,
  'zstd_corrupt_case106.tif': /tile 3 .* failed to decode: ZSTD data is corrupt/,
  'zstd_corrupt_case142.tif': /tile 2 .* failed to decode: ZSTD data is corrupt/,
  'zstd_corrupt_case520.tif': /tile 0 .* failed to decode: ZSTD data is corrupt/,
  'huge_65535x65535.tif': /a strip of 65535 x 65535 cells .* is larger than cger decodes at once/,
  'huge_50000x55000.tif': /tag StripOffsets has 1 value\(s\), at least 55000 needed/,
  'stripoffsets_undefined.tif': /tag StripOffsets has type UNDEFINED, expected an unsigned integer type/,
  'wrong_crc.tif.gz': /gzip CRC-32 mismatch/,
};

test('regression inputs: each gives its clean error naming the file; a duplicated tag reads as libtiff reads it', async () => {
  const engine = await openFuzzZones();
  for (const [name, pattern] of Object.entries(EXPECTED)) {
    const path = fixture(`fuzz/${name}`);
    const outcome = await runCase(engine, path);
    assert.equal(outcome.kind, 'error', name);
    if (outcome.kind !== 'error') continue;
    assert.equal(errorProblem(outcome.message, path), null, outcome.message);
    assert.match(outcome.message, pattern);
  }
  // ImageWidth given twice (40, then 20): the first counts, as in the same raster without the second.
  const single = join(tempDir('fuzz-dup'), 'single.tif');
  const { width, height, originX, originY, cell } = BASE_GRID;
  writeFileSync(
    single,
    makeTiff({ width, height, values: Array.from({ length: width * height }, (_, i) => i % 17), compression: 8, geo: defaultGeo(originX, originY, cell) }),
  );
  const base = await runCase(engine, single);
  const dup = await runCase(engine, fixture('fuzz/duplicate_imagewidth.tif'));
  assert.ok(base.kind === 'sums' && dup.kind === 'sums' && sameSums(dup.sums, base.sums), JSON.stringify(dup));
});

test('through the real CLI with a 256 MB heap: one short line naming the file, exit 1, nothing on stdout', { timeout: 180_000 }, () => {
  const dir = tempDir('fuzz-cli');
  const emptyZones = join(dir, 'empty.geojson');
  writeFileSync(emptyZones, JSON.stringify({ type: 'FeatureCollection', features: [] }));
  const cases: Array<{ args: string[]; names: string; pattern: RegExp }> = [
    ...['lzw_cyclic_chain.tif', 'zstd_corrupt_case106.tif', 'huge_65535x65535.tif', 'wrong_crc.tif.gz'].map((name) => ({
      args: ['--zones', ZONES, fixture(`fuzz/${name}`)],
      names: fixture(`fuzz/${name}`),
      pattern: EXPECTED[name],
    })),
    { args: ['--zones', ZONES, BASE_DIR], names: BASE_DIR, pattern: /is a directory, not a raster file/ },
    { args: ['--zones', emptyZones, join(BASE_DIR, 'strip_deflate.tif')], names: emptyZones, pattern: /has no features/ },
  ];
  for (const c of cases) {
    const r = runCli(['aggregate', '--quiet', '--cache-dir', join(dir, 'cache'), ...c.args], { env: { NODE_OPTIONS: '--max-old-space-size=256' } });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '', 'no lone CSV header');
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.length <= 3, r.stderr);
    assert.ok(r.stderr.includes(c.names), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.match(r.stderr, c.pattern);
  }
});
