import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadZones, type ZoneSet } from '../../src/boundaries/index.ts';
import { CgerError } from '../../src/common/errors.ts';

const BOUNDARIES = new URL('../../boundaries/', import.meta.url).pathname;
const GEOJSON = BOUNDARIES + 'cn-provinces-ctamap2023.geojson';
const ALBERS_DIR = BOUNDARIES + 'cn-provinces-albers';
const INVALID = new URL('../fixtures/bad/cn-provinces-raw-invalid.geojson', import.meta.url).pathname;
const WGS84 = { epsg: 4326, definition: 'EPSG:4326' };

const scratch = mkdtempSync(join(tmpdir(), 'cger-zones-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let geojson: Promise<ZoneSet> | undefined;
const shippedGeoJson = () => (geojson ??= loadZones(GEOJSON, { targetCrs: WGS84 }));

test('GeoJSON: 34 zones sorted by id, English names by default, file sha256, oriented rings', async () => {
  const warnings: string[] = [];
  const set = await loadZones(GEOJSON, { targetCrs: WGS84, onWarning: (m) => warnings.push(m) });
  assert.deepEqual(warnings, []);
  assert.equal(set.zones.length, 34);
  const ids = set.zones.map((z) => z.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(ids[0], '110000');
  assert.equal(set.zones[0].name, 'Beijing');
  assert.equal(set.hash, createHash('sha256').update(readFileSync(GEOJSON)).digest('hex'));
  assert.equal(set.sourceCrs.epsg, 4326);
  for (const zone of set.zones) {
    for (const poly of zone.geometry) {
      poly.forEach((ring, k) => {
        assert.deepEqual(ring[0], ring[ring.length - 1], `${zone.id}: closed ring`);
        let a = 0;
        for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        assert.ok(k === 0 ? a > 0 : a < 0, `${zone.id}: ring ${k} orientation`);
      });
    }
  }
  const named = await loadZones(GEOJSON, { targetCrs: WGS84, nameField: '地名' });
  assert.equal(named.zones[0].name, '北京市');
});

test('Albers shapefile with GBK DBF: names and field names decode, vertices come back to the GeoJSON ones', async () => {
  const warnings: string[] = [];
  const set = await loadZones(ALBERS_DIR, { targetCrs: WGS84, nameField: '地名', strict: true, onWarning: (m) => warnings.push(m) });
  assert.deepEqual(warnings, []);
  const byCode = await loadZones(ALBERS_DIR + '/cn_provinces_albers.shp', { targetCrs: WGS84, idField: '区划码' });
  const json = await shippedGeoJson();
  assert.equal(set.zones.length, 34);
  assert.equal(set.zones[0].name, '北京市');
  assert.equal(set.zones.find((z) => z.id === '150000')?.name, '内蒙古自治区');
  assert.deepEqual(
    byCode.zones.map((z) => z.id),
    json.zones.map((z) => z.id),
  );
  assert.match(set.sourceCrs.definition, /Albers/);
  let maxDiff = 0;
  set.zones.forEach((zone, i) => {
    const other = json.zones[i];
    assert.equal(zone.id, other.id);
    assert.equal(zone.geometry.length, other.geometry.length, `${zone.id}: parts`);
    zone.geometry.forEach((poly, p) =>
      poly.forEach((ring, k) => {
        const ref = other.geometry[p][k];
        assert.equal(ring.length, ref.length, `${zone.id}: ring length`);
        // both are oriented counter-clockwise, but a ring may start at another vertex
        const n = ref.length - 1;
        const dist = (p: number[], q: number[]) => Math.max(Math.abs(p[0] - q[0]), Math.abs(p[1] - q[1]));
        let offset = 0;
        for (let j = 1; j < n; j++) if (dist(ring[0], ref[j]) < dist(ring[0], ref[offset])) offset = j;
        for (let j = 0; j < n; j++) maxDiff = Math.max(maxDiff, dist(ring[j], ref[(j + offset) % n]));
      }),
    );
  });
  assert.ok(maxDiff < 1e-9, `max vertex difference ${maxDiff} degrees`);
});

test('a named field that does not exist is an error listing the fields', async () => {
  await assert.rejects(
    loadZones(GEOJSON, { targetCrs: WGS84, idField: 'code' }),
    (err: Error) => err instanceof CgerError && /no field "code" \(fields: 地名, 区划码, name, id\)/.test(err.message),
  );
  await assert.rejects(
    loadZones(ALBERS_DIR, { targetCrs: WGS84, nameField: 'NAME_CH' }),
    (err: Error) => err instanceof CgerError && /no field "NAME_CH" \(fields: 地名, 区划码, name, id\)/.test(err.message),
  );
});

test('duplicate ids and features without an id are errors', async () => {
  const square = {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ],
    ],
  };
  const dup = join(scratch, 'dup.geojson');
  writeFileSync(
    dup,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { id: 11 }, geometry: square },
        { type: 'Feature', properties: { id: '11' }, geometry: square },
      ],
    }),
  );
  await assert.rejects(loadZones(dup, { targetCrs: WGS84 }), /duplicate id 11 \(features 1 and 2\)/);
  const noId = join(scratch, 'noid.geojson');
  writeFileSync(
    noId,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { id: 1 }, geometry: square },
        { type: 'Feature', properties: { name: 'x' }, geometry: square },
      ],
    }),
  );
  await assert.rejects(loadZones(noId, { targetCrs: WGS84 }), /feature 2 has no value in id field "id"/);
  const line = join(scratch, 'line.geojson');
  writeFileSync(
    line,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { id: 1 },
          geometry: {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [1, 1],
            ],
          },
        },
      ],
    }),
  );
  await assert.rejects(loadZones(line, { targetCrs: WGS84 }), /feature 1: geometry type LineString is not a polygon/);
});

test('shapefile sidecars: missing .prj with projected coordinates is an error; the hash covers every part', async () => {
  const parts = readdirSync(ALBERS_DIR);
  const copy = (name: string, skip: string) => {
    const dir = join(scratch, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of parts) if (!f.endsWith(skip)) copyFileSync(join(ALBERS_DIR, f), join(dir, f));
    return dir;
  };
  const noPrj = copy('noprj', '.prj');
  await assert.rejects(
    loadZones(noPrj, { targetCrs: WGS84 }),
    (err: Error) => err instanceof CgerError && /has no \.prj .*not longitude\/latitude/.test(err.message),
  );

  const same = copy('same', '.none');
  const original = await loadZones(ALBERS_DIR, { targetCrs: WGS84 });
  assert.equal((await loadZones(same, { targetCrs: WGS84 })).hash, original.hash);
  writeFileSync(join(same, 'cn_provinces_albers.prj'), readFileSync(join(ALBERS_DIR, 'cn_provinces_albers.prj'), 'utf8') + '\n');
  assert.notEqual((await loadZones(same, { targetCrs: WGS84 })).hash, original.hash);
});

test('invalid geometry: one warning per feature for exactly the five ids; strict mode names them', async () => {
  const warnings: string[] = [];
  const set = await loadZones(INVALID, { targetCrs: WGS84, onWarning: (m) => warnings.push(m) });
  assert.equal(set.zones.length, 34);
  assert.deepEqual(warnings, [
    'zone 210000: self-intersecting ring (repaired)',
    'zone 350000: overlapping parts (repaired)',
    'zone 450000: overlapping parts (repaired)',
    'zone 620000: self-intersecting ring (repaired)',
    'zone 640000: self-intersecting ring (repaired)',
  ]);
  await assert.rejects(loadZones(INVALID, { targetCrs: WGS84, strict: true }), (err: Error) => {
    assert.ok(err instanceof CgerError);
    assert.match(
      err.message,
      /invalid geometry in 5 feature\(s\): 210000 \(self-intersecting ring\); 350000 \(overlapping parts\); 450000 \(overlapping parts\); 620000 \(self-intersecting ring\); 640000 \(self-intersecting ring\)/,
    );
    return true;
  });
  // the shipped (repaired) file passes strict mode
  await loadZones(GEOJSON, { targetCrs: WGS84, strict: true });
});

test('unsupported or missing files are clear errors', async () => {
  await assert.rejects(loadZones(join(scratch, 'missing.geojson'), { targetCrs: WGS84 }), /does not exist/);
  const csv = join(scratch, 'zones.csv');
  writeFileSync(csv, 'id\n1\n');
  await assert.rejects(loadZones(csv, { targetCrs: WGS84 }), /unsupported type "\.csv"/);
  const bad = join(scratch, 'bad.geojson');
  writeFileSync(bad, '{"type": "FeatureCollection", "features": [');
  await assert.rejects(loadZones(bad, { targetCrs: WGS84 }), /is not valid JSON/);
});
