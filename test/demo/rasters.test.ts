import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fromArrayBuffer } from 'geotiff';
import { createRng } from '../../src/common/random.ts';
import { chinaWindowGrid, float32Spread, writeSyntheticRelease } from '../../src/demo/rasters.ts';
import type { Grid } from '../../src/raster/types.ts';
import { coverageFromRows } from '../../src/zonal/packed.ts';
import type { Coverage } from '../../src/zonal/types.ts';
import { readZipEntries } from './zipEntries.ts';

test('the demo window is China on the ODIAC lattice', () => {
  const g = chinaWindowGrid();
  assert.equal(g.cellWidth, 1 / 120);
  // Origin on the lattice of 1/120-degree cells from (-180, 90).
  assert.ok(Number.isInteger(Math.round((g.originX + 180) * 120)) && Math.abs((g.originX + 180) * 120 - Math.round((g.originX + 180) * 120)) < 1e-6);
  assert.ok(g.originX <= 73.5 && g.originX + g.width / 120 >= 135.1);
  assert.ok(g.originY >= 53.6 && g.originY - g.height / 120 <= 18.1);
  assert.deepEqual([g.width, g.height], [7392, 4260]);
});

test('float32 cells add up (in double) to the target', () => {
  const rng = createRng(3);
  for (const n of [1, 7, 500]) {
    const shares = Float64Array.from({ length: n }, () => Math.exp(rng.normal() * 1.3));
    const out = new Float32Array(n);
    const target = 123456.789 * n;
    float32Spread(target, shares, out);
    const sum = out.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - target) / target < 1e-9, `n=${n}: ${sum} vs ${target}`);
    for (const v of out) assert.ok(v > 0);
    // Proportional to the shares (up to the residual fix-up of two cells).
    const total = shares.reduce((s, v) => s + v, 0);
    const close = [...out].filter((v, i) => Math.abs(v - (target * shares[i]) / total) <= 1e-6 * v).length;
    assert.ok(close >= n - 2);
  }
});

test("a synthetic release puts each zone's planted carbon on its interior cells, month by month", async () => {
  // A 6 x 8 window with two hand-made zones: A (interior runs in rows 1-2), B (one interior run,
  // one partly covered run that must stay empty).
  const grid: Grid = { width: 8, height: 6, originX: 116, originY: 40, cellWidth: 1 / 120, cellHeight: 1 / 120, crs: { epsg: 4326, definition: 'EPSG:4326' } };
  const coverage: Coverage = coverageFromRows(
    {
      grid,
      method: 'exact',
      zones: [
        { id: '110000', name: 'A' },
        { id: '120000', name: 'B' },
      ],
      row0: 1,
      row1: 5,
      col0: 0,
      col1: 8,
    },
    [
      [{ zone: 0, col0: 1, col1: 4, fractions: null }],
      [
        { zone: 0, col0: 1, col1: 4, fractions: null },
        { zone: 1, col0: 5, col1: 8, fractions: null },
      ],
      [{ zone: 1, col0: 5, col1: 7, fractions: Float64Array.from([0.5, 0.25]) }],
      [],
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'cger-synth-'));
  try {
    const co2 = new Map([
      ['110000', new Map([[2015, 3.3e6]])],
      ['120000', new Map([[2015, 1.1e6]])],
    ]);
    const release = await writeSyntheticRelease({ root: dir, release: '2099', grid, coverage, co2, years: [2015], months: [1, 2, 3], seed: 5, density: 0.5 });
    assert.equal(release.files.length, 3);
    const yearDir = join(dir, 'odiac2099', '1km_tiff', '2015');
    assert.deepEqual(readdirSync(yearDir).sort(), ['odiac2099_1km_checksum_2015.md5.txt', 'odiac2099_1km_excl_intl_2015_allmonths.tif.gz.zip']);
    const md5 = readFileSync(join(yearDir, 'odiac2099_1km_checksum_2015.md5.txt'), 'utf8');
    const entries = await readZipEntries(join(yearDir, 'odiac2099_1km_excl_intl_2015_allmonths.tif.gz.zip'));
    assert.deepEqual(
      [...entries.keys()],
      ['odiac2099_1km_excl_intl_1501.tif.gz', 'odiac2099_1km_excl_intl_1502.tif.gz', 'odiac2099_1km_excl_intl_1503.tif.gz'],
    );
    const totals = [0, 0];
    let outside = 0;
    for (const f of release.files) {
      const raw = entries.get(f.name)!;
      assert.ok(md5.includes(`${createHash('md5').update(raw).digest('hex')}  ${f.name}`));
      const tif = gunzipSync(raw);
      const image = await (await fromArrayBuffer(tif.buffer.slice(tif.byteOffset, tif.byteOffset + tif.byteLength) as ArrayBuffer)).getImage();
      assert.deepEqual(image.getOrigin().slice(0, 2), [116, 40]);
      // As ODIAC ships: uncompressed Float32, one row per strip.
      assert.equal(image.fileDirectory.getValue('Compression'), 1);
      assert.equal(image.fileDirectory.getValue('RowsPerStrip'), 1);
      const [band] = (await image.readRasters()) as unknown as [Float32Array];
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c < 8; c++) {
          const v = band[r * 8 + c];
          if ((r === 1 || r === 2) && c >= 1 && c < 4) totals[0] += v;
          else if (r === 2 && c >= 5) totals[1] += v;
          else if (r === 3 && (c === 5 || c === 6)) assert.equal(v, 0, 'partly covered cells stay empty');
          else outside += v;
        }
      }
    }
    // Annual CO2 = carbon x 44/12, to float32 rounding of the cells.
    assert.ok(Math.abs((totals[0] * 44) / 12 - 3.3e6) / 3.3e6 < 1e-9, `A: ${(totals[0] * 44) / 12}`);
    assert.ok(Math.abs((totals[1] * 44) / 12 - 1.1e6) / 1.1e6 < 1e-9, `B: ${(totals[1] * 44) / 12}`);
    assert.ok(Math.abs(outside - release.outside.get(2015)!) <= 1e-9 * outside);
    assert.ok(Math.abs(release.placed.get('110000')!.get(2015)! - totals[0]) <= 1e-9 * totals[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
