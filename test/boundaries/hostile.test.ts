import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadZones, resolveNameField } from '../../src/boundaries/index.ts';
import { CgerError } from '../../src/common/errors.ts';
import { ODIAC_GLOBAL_GRID } from '../../src/odiac/index.ts';
import { readRasterInfo } from '../../src/raster/index.ts';
import { openZones } from '../../src/zonal/index.ts';
import { boundary, fixture, runCli, tempDir } from '../helpers.ts';

const WGS84 = { epsg: 4326, definition: 'EPSG:4326' };
const square = (x: number, y: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ],
});
const feature = (id: string, geometry: object, extra: object = {}) => ({ type: 'Feature', properties: { id, ...extra }, geometry });

function geojson(dir: string, name: string, doc: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp, path: string): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.ok(err instanceof CgerError, `${err.name}: ${err.message}`);
    assert.ok(err.message.includes(path), err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

test('an empty FeatureCollection says it has no features', async () => {
  const dir = tempDir('zones-hostile');
  const path = geojson(dir, 'empty.geojson', { type: 'FeatureCollection', features: [] });
  await rejectsWith(loadZones(path, { targetCrs: WGS84 }), /has no features/, path);
});

test('projected coordinates with no declared CRS are refused; declared ones are reprojected', async () => {
  const dir = tempDir('zones-hostile');
  // Beijing in Web-Mercator metres, without a crs member.
  const mercator = feature('1', square(12950000, 4850000, 20000));
  const bare = geojson(dir, 'mercator.geojson', { type: 'FeatureCollection', features: [mercator] });
  await rejectsWith(loadZones(bare, { targetCrs: WGS84 }), /coordinates look projected: declare the CRS or add the \.prj/, bare);
  const declared = geojson(dir, 'mercator-crs.geojson', {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } },
    features: [mercator],
  });
  const set = await loadZones(declared, { targetCrs: WGS84 });
  const [lon, lat] = set.zones[0].geometry[0][0][0];
  assert.ok(lon > 116 && lon < 116.6 && lat > 39.8 && lat < 40.2, `${lon}, ${lat}`);
  // A shapefile without its .prj (projected coordinates) gets the same message.
  const shpDir = join(dir, 'albers');
  const albers = boundary('cn-provinces-albers');
  mkdirSync(shpDir);
  for (const f of readdirSync(albers)) if (!f.endsWith('.prj')) copyFileSync(join(albers, f), join(shpDir, f));
  await rejectsWith(loadZones(shpDir, { targetCrs: WGS84 }), /has no \.prj .* coordinates look projected: declare the CRS or add the \.prj/, shpDir);
});

test('one name-field rule: the field given, else the first of name, NAME, Name, 地名, 名称 present, else none', () => {
  assert.equal(resolveNameField(['id', 'NAME', 'name'], undefined), 'name');
  assert.equal(resolveNameField(['id', '名称', 'NAME'], undefined), 'NAME');
  assert.equal(resolveNameField(['id', '名称'], undefined), '名称');
  assert.equal(resolveNameField(['id', 'label'], undefined), undefined);
  assert.equal(resolveNameField(['id', 'name'], 'label'), 'label');
});

test('zones that touch no cell: checkTouches throws (exit 2), aggregate says so and exits 2 with no table', async () => {
  const dir = tempDir('zones-hostile');
  const far = geojson(dir, 'far.geojson', { type: 'FeatureCollection', features: [feature('9', square(10, 50, 1), { name: 'far away' })] });
  const raster = fixture('fuzz/base/strip_deflate.tif');
  const engine = await openZones(far);
  const { grid } = await readRasterInfo(raster);
  await assert.rejects(
    engine.checkTouches(grid, raster),
    (err: Error) => err instanceof CgerError && err.exitCode === 2 && err.message.startsWith(`${raster}: no zone of ${far} touches a cell of this raster`),
  );
  await engine.checkTouches(ODIAC_GLOBAL_GRID, 'the ODIAC 1 km grid'); // the whole lattice: Europe is on it
  const r = runCli(['aggregate', '--zones', far, '--quiet', '--cache-dir', join(dir, 'cache'), raster]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /no zone of .*far\.geojson touches a cell of this raster \(it covers x 116\.3\.\.116\.63/);
});
