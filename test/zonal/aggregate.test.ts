import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openZones } from '../../src/zonal/index.ts';
import { assertClose, boundary, fixture, readCsvRecords, runCli, tempDir } from '../helpers.ts';

const GEOJSON = boundary('cn-provinces-ctamap2023.geojson');
const ALBERS = boundary('cn-provinces-albers/cn_provinces_albers.shp');
const LAYOUTS = [
  'jjj_strip_deflate.tif',
  'jjj_tile256_lzw_pred3.tif',
  'jjj_strip16_none.tif',
  'jjj_tile512_deflate_pred3_bigtiff.tif',
  'jjj_strip_deflate_gz.tif.gz',
];

function expected(name: string) {
  return readCsvRecords(fixture(`jjj/${name}`));
}

test('exact sums and coverage of every layout match both independent references (1e-8)', async () => {
  const engine = await openZones(GEOJSON);
  const ref = expected('jjj.expected.csv');
  for (const layout of LAYOUTS) {
    const result = await engine.sumRaster(fixture(`jjj/${layout}`));
    for (const row of ref) {
      const z = result.zones.find((zz) => zz.id === row.id);
      assert.ok(z, `${layout}: zone ${row.id} missing`);
      for (const col of ['exact_sum', 'exact_sum_ref']) assertClose(z.sum, Number(row[col]), 1e-8, `${layout} ${row.id} ${col}`);
      for (const col of ['exact_coverage', 'exact_coverage_ref']) assertClose(z.coverage, Number(row[col]), 1e-8, `${layout} ${row.id} ${col}`);
    }
    const touched = result.zones
      .filter((z) => z.cells > 0)
      .map((z) => z.id)
      .sort();
    assert.deepEqual(touched, ref.map((r) => r.id).sort(), `${layout}: zones touching the window`);
  }
});

test('center method reproduces the cell-centre counts exactly and sums to 1e-9', async () => {
  const engine = await openZones(GEOJSON, { method: 'center' });
  for (const [raster, csv] of [
    ['jjj_strip_deflate.tif', 'jjj.expected.csv'],
    ['jjj_nodata_nan.tif', 'jjj_nodata_nan.expected.csv'],
  ]) {
    const result = await engine.sumRaster(fixture(`jjj/${raster}`));
    for (const row of expected(csv)) {
      const z = result.zones.find((zz) => zz.id === row.id)!;
      assert.equal(z.cells, Number(row.center_count), `${raster} ${row.id} center_count`);
      assertClose(z.sum, Number(row.center_sum), 1e-9, `${raster} ${row.id} center_sum`);
    }
  }
});

test('nodata and NaN cells are skipped (exact sums to 1e-8)', async () => {
  const engine = await openZones(GEOJSON);
  const result = await engine.sumRaster(fixture('jjj/jjj_nodata_nan.tif'));
  assert.equal(result.nodata, -9999);
  for (const row of expected('jjj_nodata_nan.expected.csv')) {
    const z = result.zones.find((zz) => zz.id === row.id)!;
    assertClose(z.sum, Number(row.exact_sum), 1e-8, `${row.id} exact_sum`);
    assertClose(z.sum, Number(row.exact_sum_ref), 1e-8, `${row.id} exact_sum_ref`);
    assertClose(z.coverage, Number(row.exact_coverage), 1e-8, `${row.id} exact_coverage`);
  }
});

test('the Albers GBK shapefile gives the GeoJSON sums (1e-7) and decodes 北京市', async () => {
  const [geo, albers] = await Promise.all([openZones(GEOJSON), openZones(ALBERS, { nameField: '地名' })]);
  const raster = fixture('jjj/jjj_strip_deflate.tif');
  const [a, b] = await Promise.all([geo.sumRaster(raster), albers.sumRaster(raster)]);
  assert.equal(albers.zones.find((z) => z.id === '110000')?.name, '北京市');
  for (const z of a.zones.filter((zz) => zz.cells > 0)) {
    const other = b.zones.find((zz) => zz.id === z.id)!;
    assertClose(other.sum, z.sum, 1e-7, `albers ${z.id} sum`);
  }
});

test('zones plus _outside equal the grid total (1e-9) through the CLI', () => {
  const dir = tempDir('agg');
  const out = join(dir, 'jjj.csv');
  const r = runCli([
    'aggregate',
    '--zones',
    GEOJSON,
    '--remainder',
    '--quiet',
    '--cache-dir',
    join(dir, 'cache'),
    '--out',
    out,
    fixture('jjj/jjj_strip_deflate.tif'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rows = readCsvRecords(out);
  assert.deepEqual(Object.keys(rows[0]), ['zone_id', 'zone_name', 'raster', 'year', 'month', 'sum', 'coverage', 'cells']);
  const outside = rows.find((row) => row.zone_id === '_outside');
  assert.ok(outside);
  const zonesTotal = rows.filter((row) => row.zone_id !== '_outside').reduce((s, row) => s + Number(row.sum), 0);
  // Independent grid total: every valid cell of the reference file, summed from geotiff's decoder.
  return import('geotiff').then(async ({ fromFile }) => {
    const tiff = await fromFile(fixture('jjj/jjj_strip_deflate.tif'));
    const [band] = (await (await tiff.getImage()).readRasters()) as unknown as Float32Array[];
    let total = 0;
    for (const v of band) if (!Number.isNaN(v)) total += v;
    assertClose(zonesTotal + Number(outside.sum), total, 1e-9, 'zones + outside vs grid total');
    assert.ok(existsSync(join(dir, 'cache')), 'coverage cache written');
  });
});

test('--annual sums twelve months into CO2 and refuses a partial year', () => {
  const dir = tempDir('annual');
  const months = Array.from({ length: 12 }, (_, i) =>
    fixture(`release/odiac2099/1km_tiff/2011/odiac2099_1km_excl_intl_11${String(i + 1).padStart(2, '0')}.tif.gz`),
  );
  const out = join(dir, 'year.csv');
  const r = runCli(['aggregate', '--zones', GEOJSON, '--annual', '--quiet', '--cache-dir', join(dir, 'cache'), '--out', out, ...months]);
  assert.equal(r.code, 0, r.stderr);
  const rows = readCsvRecords(out);
  const ref = readCsvRecords(fixture('release/expected_year.csv'));
  assert.equal(rows.length, ref.length);
  for (const e of ref) {
    const row = rows.find((x) => x.zone_id === e.id)!;
    assert.equal(row.months, '12');
    assertClose(Number(row.sum_tC), Number(e.sum_tC), 1e-8, `${e.id} sum_tC`);
    assertClose(Number(row.co2_t), Number(e.co2_t), 1e-8, `${e.id} co2_t`);
  }
  const partial = runCli([
    'aggregate',
    '--zones',
    GEOJSON,
    '--annual',
    '--quiet',
    '--cache-dir',
    join(dir, 'cache'),
    '--out',
    join(dir, 'p.csv'),
    ...months.slice(0, 11),
  ]);
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /year 2011 is missing 1 month\(s\): 2011-12/);
  assert.equal(existsSync(join(dir, 'p.csv')), false);
});

for (const bad of ['truncated.tif', 'truncated.tif.gz', 'corrupt_strip.tif', 'garbage.tif', 'not_a_tiff.tif', 'wrong_grid_0.01deg.tif']) {
  test(`bad input ${bad}: one-line error naming the file, exit 1, no output`, () => {
    const dir = tempDir('bad');
    const out = join(dir, 'out.csv');
    const r = runCli(['aggregate', '--zones', GEOJSON, '--quiet', '--cache-dir', join(dir, 'cache'), '--out', out, fixture(`bad/${bad}`)]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(bad.replace(/\./g, '\\.')));
    // Failed rasters produce no rows; the header alone is written.
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 1);
  });
}

test('a good raster still produces rows when another fails', () => {
  const dir = tempDir('mixed');
  const out = join(dir, 'out.csv');
  const r = runCli([
    'aggregate',
    '--zones',
    GEOJSON,
    '--quiet',
    '--cache-dir',
    join(dir, 'cache'),
    '--out',
    out,
    fixture('bad/garbage.tif'),
    fixture('jjj/jjj_strip_deflate.tif'),
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /garbage\.tif/);
  const rows = readCsvRecords(out);
  assert.equal(rows.length, expected('jjj.expected.csv').length);
});

test('invalid boundary geometry: a warning per feature, repaired; --strict makes it an error', () => {
  const dir = tempDir('invalid');
  const invalid = fixture('bad/cn-provinces-raw-invalid.geojson');
  const r = runCli([
    'aggregate',
    '--zones',
    invalid,
    '--quiet',
    '--cache-dir',
    join(dir, 'cache'),
    '--out',
    join(dir, 'o.csv'),
    fixture('jjj/jjj_strip_deflate.tif'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const warned = [...r.stderr.matchAll(/warning: zone (\d+)/g)].map((m) => m[1]).sort();
  assert.deepEqual(warned, ['210000', '350000', '450000', '620000', '640000']);
  const strict = runCli(['aggregate', '--zones', invalid, '--strict', '--quiet', '--cache-dir', join(dir, 'cache'), fixture('jjj/jjj_strip_deflate.tif')]);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /210000/);
});
