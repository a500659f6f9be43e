import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadZones, type ZoneSet } from '../../src/boundaries/index.ts';
import type { Grid } from '../../src/raster/types.ts';
import { coverageCachePath, loadOrComputeCoverage } from '../../src/zonal/cache.ts';
import { computeCoverage } from '../../src/zonal/coverage.ts';
import type { Coverage } from '../../src/zonal/types.ts';
import { BOUNDARIES, WGS84 } from './coverageHelpers.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'cger-coverage-cache-test-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

// Beijing-Tianjin-Hebei at 1/120 degree: a few hundred thousand cells, fast to compute.
const GRID: Grid = {
  width: 840,
  height: 720,
  originX: 113,
  originY: 43,
  cellWidth: 1 / 120,
  cellHeight: 1 / 120,
  crs: WGS84,
};

let zones: Promise<ZoneSet> | undefined;
const zoneSet = () => (zones ??= loadZones(BOUNDARIES + 'cn-provinces-ctamap2023.geojson', { targetCrs: WGS84 }));

/** Coverage as plain data, so typed-array views and copies compare by content. */
function plain(cov: Coverage) {
  return {
    ...cov,
    rows: cov.rows.map((row) => row.map((run) => ({ ...run, fractions: run.fractions && Array.from(run.fractions) }))),
  };
}

test('cache round trip gives the identical coverage, for both methods, and is reused', async () => {
  const set = await zoneSet();
  for (const method of ['exact', 'center'] as const) {
    const notices: string[] = [];
    const computed = computeCoverage(set, GRID, method);
    const first = await loadOrComputeCoverage(set, GRID, method, { cacheDir, onNotice: (m) => notices.push(m) });
    const path = coverageCachePath(set, GRID, method, cacheDir);
    const written = statSync(path);
    const second = await loadOrComputeCoverage(set, GRID, method, { cacheDir, onNotice: (m) => notices.push(m) });
    assert.deepEqual(plain(first), plain(computed));
    assert.deepEqual(plain(second), plain(computed));
    assert.ok(second.rows.some((row) => row.some((run) => run.fractions !== null)) === (method === 'exact'));
    const reread = statSync(path);
    assert.equal(reread.ino, written.ino, 'a valid cache file is not rewritten');
    assert.equal(reread.mtimeMs, written.mtimeMs);
    assert.deepEqual(notices, []);
  }
  // one file per method, no temporary files left behind
  assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.bin')).length, 2);
  assert.deepEqual(
    readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('the cache key separates grids and boundary files', async () => {
  const set = await zoneSet();
  const base = coverageCachePath(set, GRID, 'exact', cacheDir);
  assert.notEqual(coverageCachePath(set, { ...GRID, originX: GRID.originX + 1 / 120 }, 'exact', cacheDir), base);
  assert.notEqual(coverageCachePath(set, GRID, 'center', cacheDir), base);
  assert.notEqual(coverageCachePath({ ...set, hash: '0'.repeat(64) }, GRID, 'exact', cacheDir), base);
  assert.equal(coverageCachePath({ ...set }, { ...GRID }, 'exact', cacheDir), base);
});

test('a corrupt or truncated cache file is ignored with a notice and rebuilt', async () => {
  const set = await zoneSet();
  const reference = plain(computeCoverage(set, GRID, 'exact'));
  const path = coverageCachePath(set, GRID, 'exact', cacheDir);
  await loadOrComputeCoverage(set, GRID, 'exact', { cacheDir, onNotice: () => {} });
  const good = readFileSync(path);

  const flipped = Buffer.from(good);
  flipped[flipped.length - 3] ^= 0x40; // inside the fractions
  const damages: [string, Buffer, RegExp][] = [
    ['flipped bit', flipped, /checksum mismatch/],
    ['truncated', good.subarray(0, good.length - 100), /wrong size/],
    ['garbage', Buffer.from('not a cache file at all'), /not a coverage cache file/],
  ];
  for (const [label, bytes, reason] of damages) {
    writeFileSync(path, bytes);
    const notices: string[] = [];
    const cov = await loadOrComputeCoverage(set, GRID, 'exact', { cacheDir, onNotice: (m) => notices.push(m) });
    assert.deepEqual(plain(cov), reference, label);
    assert.equal(notices.length, 1, label);
    assert.match(notices[0], reason, label);
    assert.match(notices[0], /rebuilding/);
    assert.deepEqual(readFileSync(path), good, `${label}: rebuilt file`);
  }
});

test('without a cache directory the coverage is computed and nothing is written', async () => {
  const set = await zoneSet();
  const before = readdirSync(cacheDir).length;
  const cov = await loadOrComputeCoverage(set, GRID, 'center', {});
  assert.deepEqual(plain(cov), plain(computeCoverage(set, GRID, 'center')));
  assert.equal(readdirSync(cacheDir).length, before);
});
