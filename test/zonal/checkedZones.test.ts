import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkedZonesPath } from '../../src/zonal/checkedZones.ts';
import { openZones } from '../../src/zonal/index.ts';
import { boundary, fixture, tempDir } from '../helpers.ts';

const INVALID = fixture('bad/cn-provinces-raw-invalid.geojson');

test('a boundary file checked once: the next run takes its zones and warnings from the cache, and sums the same', async () => {
  const cacheDir = tempDir('zones');
  const first: string[] = [];
  const a = await openZones(INVALID, { cacheDir, onWarning: (m) => first.push(m) });
  assert.equal(first.length, 5);
  assert.ok(existsSync(checkedZonesPath(cacheDir, { path: INVALID, hash: a.hash })));
  const second: string[] = [];
  const b = await openZones(INVALID, { cacheDir, onWarning: (m) => second.push(m) });
  assert.deepEqual(second, first);
  assert.deepEqual(b.zones, a.zones);
  assert.equal(b.hash, a.hash);
  // b's coverage comes from the coverage cache a wrote; a fresh engine without any cache agrees.
  const raster = fixture('jjj/jjj_strip_deflate.tif');
  await a.sumRaster(raster);
  const [cached, fresh] = await Promise.all([b.sumRaster(raster), openZones(INVALID, { onWarning: () => {} }).then((e) => e.sumRaster(raster))]);
  assert.deepEqual(cached.zones, fresh.zones);
});

test('the cached check depends on the fields chosen, and an unusable entry is redone', async () => {
  const cacheDir = tempDir('zones');
  const geojson = boundary('cn-provinces-ctamap2023.geojson');
  const byName = await openZones(geojson, { cacheDir });
  const byId = await openZones(geojson, { cacheDir, nameField: 'id' });
  assert.notEqual(byName.zones[0].name, byId.zones[0].name);
  assert.equal(byId.zones[0].name, byId.zones[0].id);
  assert.equal(readdirSync(cacheDir).filter((f) => f.startsWith('zones-')).length, 2);
  // The same content elsewhere is checked again (warnings name the file).
  const copy = join(tempDir('zones-copy'), 'copy.geojson');
  copyFileSync(geojson, copy);
  assert.deepEqual((await openZones(copy, { cacheDir })).zones, byName.zones);
  assert.equal(readdirSync(cacheDir).filter((f) => f.startsWith('zones-')).length, 3);

  const path = checkedZonesPath(cacheDir, { path: geojson, hash: byName.hash });
  writeFileSync(path, '{"key": "something else", "zones": [], "warnings": []}');
  const again = await openZones(geojson, { cacheDir });
  assert.deepEqual(again.zones, byName.zones);
  writeFileSync(path, 'not json');
  assert.deepEqual((await openZones(geojson, { cacheDir })).zones, byName.zones);
});
