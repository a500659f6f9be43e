import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import yauzl from 'yauzl';
import { parseCsv } from '../../src/common/csv.ts';
import { runIngest } from '../../src/ingest/index.ts';
import { openZones } from '../../src/zonal/index.ts';
import { ingestOptions, repoRoot, runCli, tempDir, zonesPath } from './helpers.ts';
import { startTestServer } from './server.ts';

const fixture = join(repoRoot, 'test/fixtures/release-zip');
const zipOf = (root: string, year: number) => join(root, `odiac2097/1km_tiff/${year}/odiac2097_1km_excl_intl_${year}_allmonths.tif.gz.zip`);
const fast = { retries: 2, backoffMs: 5, timeoutMs: 10_000 };

/** A writable copy of the fixture release. */
function copyFixture(): string {
  const root = join(tempDir('zip'), 'source');
  cpSync(fixture, root, { recursive: true });
  chmodSync(root, 0o755);
  for (const year of [2011, 2012]) {
    chmodSync(join(root, `odiac2097/1km_tiff/${year}`), 0o755);
    chmodSync(zipOf(root, year), 0o644);
  }
  return root;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** province_year.csv against the independent reference, for the years given. */
function assertYears(outDir: string, years: number[]): void {
  const expected = parseCsv(readFileSync(join(fixture, 'expected_year.csv'), 'utf8'))
    .records.map((r) => r.values)
    .filter((v) => years.includes(Number(v.year)));
  const got = parseCsv(readFileSync(join(outDir, 'province_year.csv'), 'utf8')).records.map((r) => r.values);
  assert.deepEqual(got.map((v) => `${v.zone_id}/${v.year}`).sort(), expected.map((v) => `${v.id}/${v.year}`).sort());
  for (const want of expected) {
    const row = got.find((v) => v.zone_id === want.id && v.year === want.year)!;
    assert.equal(row.months, '12');
    assert.ok(rel(Number(row.co2_t), Number(want.co2_t)) < 1e-8, `${want.id}/${want.year}: ${row.co2_t} vs ${want.co2_t}`);
    assert.ok(rel(Number(row.sum_tC), Number(want.sum_tC)) < 1e-8);
  }
}

/** Every month of the given years against the reference monthly sums. */
function assertMonths(outDir: string, years: number[]): void {
  const expected = parseCsv(readFileSync(join(fixture, 'expected_month.csv'), 'utf8'))
    .records.map((r) => r.values)
    .filter((v) => years.includes(Number(v.year)));
  const got = new Map(
    parseCsv(readFileSync(join(outDir, 'province_month.csv'), 'utf8'))
      .records.filter((r) => years.includes(Number(r.values.year)))
      .map((r) => [`${r.values.zone_id}/${r.values.year}/${r.values.month}`, r.values]),
  );
  assert.equal(got.size, expected.length);
  for (const want of expected) {
    const row = got.get(`${want.id}/${want.year}/${want.month}`);
    assert.ok(row, `${want.id}/${want.year}/${want.month}`);
    assert.ok(rel(Number(row.sum_tC), Number(want.sum_tC)) < 1e-8);
    assert.ok(rel(Number(row.coverage), Number(want.coverage)) < 1e-8);
  }
}

test('year zips from a directory: stored entries under <YYYY>/ and deflated ones at the root match the reference', async () => {
  const work = tempDir('zip');
  const opts = ingestOptions(work, fixture, { http: fast });
  const result = await runIngest(opts, openZones);
  assert.equal(result.exitCode, 0);
  assert.equal(result.processed, 24);
  assertYears(opts.outDir, [2011, 2012]);
  assertMonths(opts.outDir, [2011, 2012]);
  assert.equal((await runIngest(opts, openZones)).processed, 0);
});

test('year zips over HTTP: downloaded once each, resumed from a part left by a killed run, summed from the local copy', async () => {
  const work = tempDir('zip');
  const opts = ingestOptions(work, '', { http: fast, releases: ['2097'], years: [2011, 2012], concurrency: 2 });
  // A run killed at 90% of the 2012 download left this part behind.
  const whole = readFileSync(zipOf(fixture, 2012));
  const part = join(opts.downloadDir, '2097/2012/odiac2097_1km_excl_intl_2012_allmonths.tif.gz.zip.part');
  mkdirSync(join(opts.downloadDir, '2097/2012'), { recursive: true });
  const cut = Math.floor(whole.length * 0.9);
  writeFileSync(part, whole.subarray(0, cut));
  const server = await startTestServer(fixture);
  try {
    const result = await runIngest({ ...opts, source: server.url }, openZones);
    assert.equal(result.exitCode, 0, JSON.stringify(result.failed));
    assertYears(opts.outDir, [2011, 2012]);
    const zipRequests = server.log.filter((r) => r.path.endsWith('.zip'));
    assert.deepEqual(zipRequests.map((r) => [r.path.split('/').pop(), r.status, r.range]).sort(), [
      ['odiac2097_1km_excl_intl_2011_allmonths.tif.gz.zip', 200, null],
      ['odiac2097_1km_excl_intl_2012_allmonths.tif.gz.zip', 206, `bytes=${cut}-`],
    ]);
    for (const year of [2011, 2012]) {
      assert.deepEqual(readdirSync(join(opts.downloadDir, '2097', String(year))), [`odiac2097_1km_excl_intl_${year}_allmonths.tif.gz.zip`]);
      assert.deepEqual(
        readFileSync(join(opts.downloadDir, '2097', String(year), `odiac2097_1km_excl_intl_${year}_allmonths.tif.gz.zip`)),
        readFileSync(zipOf(fixture, year)),
      );
    }
  } finally {
    await server.close();
  }
});

test('a truncated zip fails only its year: archive and months named in ingest_report.json and on stderr, exit 2', async () => {
  const source = copyFixture();
  const zip = zipOf(source, 2012);
  truncateSync(zip, Math.floor(readFileSync(zip).length * 0.6));
  const work = tempDir('zip');
  const run = await runCli([
    '--source',
    source,
    '--zones',
    zonesPath,
    '--db',
    join(work, 'cger.sqlite'),
    '--out-dir',
    join(work, 'out'),
    '--allow-partial-year',
  ]);
  assert.equal(run.code, 2, run.stderr);
  const report = JSON.parse(readFileSync(join(work, 'out/ingest_report.json'), 'utf8'));
  assert.deepEqual(
    report.failed.map((f: { year: number; month: number }) => `${f.year}-${f.month}`),
    Array.from({ length: 12 }, (_, i) => `2012-${i + 1}`),
  );
  for (const f of report.failed) {
    assert.ok(f.error.includes(zip), f.error);
    assert.match(f.error, /zip archive is damaged/);
    assert.match(run.stderr, new RegExp(`FAILED 2097 2012-${String(f.month).padStart(2, '0')} ${f.file}: .*zip archive is damaged`));
  }
  assert.deepEqual(
    report.years.map((y: { year: number; months_done: number }) => [y.year, y.months_done]),
    [
      [2011, 12],
      [2012, 0],
    ],
  );
  assertYears(join(work, 'out'), [2011]);
});

test('an entry failing its CRC or md5 fails only that month; a hand-unpacked year prefers what verifies', async () => {
  const source = copyFixture();
  // 2011 holds stored entries: a flipped byte inside one of them breaks its CRC-32 (and md5).
  const zip = zipOf(source, 2011);
  const bytes = readFileSync(zip);
  const entries = await new Promise<yauzl.Entry[]>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, z) => {
      if (err) return reject(err);
      const list: yauzl.Entry[] = [];
      z.on('entry', (e: yauzl.Entry) => {
        list.push(e);
        z.readEntry();
      });
      z.on('end', () => resolve(list));
      z.readEntry();
    }),
  );
  const march = entries.find((e) => e.fileName.endsWith('_1103.tif.gz'))!;
  assert.equal(march.compressionMethod, 0);
  const headerLength = 30 + bytes.readUInt16LE(march.relativeOffsetOfLocalHeader + 26) + bytes.readUInt16LE(march.relativeOffsetOfLocalHeader + 28);
  bytes[march.relativeOffsetOfLocalHeader + headerLength + 5000] ^= 0xff;
  writeFileSync(zip, bytes);
  // 2012: the list's md5 for May is wrong.
  const list2012 = join(source, 'odiac2097/1km_tiff/2012/odiac2097_1km_checksum_2012.md5.txt');
  writeFileSync(list2012, readFileSync(list2012, 'utf8').replace(/^[0-9a-f]{32}(\s+odiac2097_1km_excl_intl_1205)/m, `${'0'.repeat(32)}$1`));

  const work = tempDir('zip');
  const opts = ingestOptions(work, source, { http: fast, allowPartialYear: true });
  const first = await runIngest(opts, openZones);
  assert.equal(first.exitCode, 2);
  assert.deepEqual(
    first.failed.map((f) => [f.year, f.month, f.status]),
    [
      [2011, 3, 'quarantined'],
      [2012, 5, 'quarantined'],
    ],
  );
  assert.match(
    first.failed[0].error,
    /odiac2097_1km_excl_intl_1103\.tif\.gz in .*2011_allmonths\.tif\.gz\.zip: entry 2011\/odiac2097_1km_excl_intl_1103\.tif\.gz fails the archive's CRC-32 check/,
  );
  assert.match(first.failed[1].error, /md5 mismatch for odiac2097_1km_excl_intl_1205\.tif\.gz in .*2012_allmonths\.tif\.gz\.zip: the checksum list says 0{32}/);
  assert.equal(first.processed, 22);

  // The user unpacked the intact archive by hand next to the damaged one: March now verifies from its own file.
  const intact = readFileSync(zipOf(fixture, 2011));
  const good = entries.find((e) => e.fileName.endsWith('_1103.tif.gz'))!;
  const goodHeader = 30 + intact.readUInt16LE(good.relativeOffsetOfLocalHeader + 26) + intact.readUInt16LE(good.relativeOffsetOfLocalHeader + 28);
  const start = good.relativeOffsetOfLocalHeader + goodHeader;
  writeFileSync(join(source, 'odiac2097/1km_tiff/2011/odiac2097_1km_excl_intl_1103.tif.gz'), intact.subarray(start, start + good.compressedSize));
  const second = await runIngest(opts, openZones);
  assert.equal(second.processed, 1);
  assert.deepEqual(
    second.failed.map((f) => [f.year, f.month]),
    [[2012, 5]],
  );
  assertMonths(opts.outDir, [2011]);
});

test('over HTTP a damaged year zip is downloaded once, its months fail, and it is set aside so the next run fetches it anew', async () => {
  const site = copyFixture();
  const served = zipOf(site, 2012);
  const intact = readFileSync(served);
  truncateSync(served, Math.floor(intact.length * 0.5));
  const work = tempDir('zip');
  const server = await startTestServer(site);
  try {
    const opts = ingestOptions(work, server.url, { http: fast, releases: ['2097'], years: [2011, 2012], concurrency: 2 });
    const first = await runIngest(opts, openZones);
    assert.equal(first.exitCode, 2);
    assert.equal(first.processed, 12);
    assert.deepEqual(
      first.failed.map((f) => `${f.year}-${f.month}`),
      Array.from({ length: 12 }, (_, i) => `2012-${i + 1}`),
    );
    for (const f of first.failed) assert.match(f.error, /2012_allmonths\.tif\.gz\.zip: the zip archive is damaged .*kept as .*quarantine/);
    const zipGets = () => server.log.filter((r) => r.path.endsWith('2012_allmonths.tif.gz.zip'));
    assert.equal(zipGets().length, 1, 'downloaded once for its twelve months');
    assert.deepEqual(readdirSync(join(opts.downloadDir, '2097/2012')), []);
    assert.deepEqual(readdirSync(join(opts.downloadDir, 'quarantine/2097')), ['odiac2097_1km_excl_intl_2012_allmonths.tif.gz.zip']);

    writeFileSync(served, intact); // the server's copy is repaired
    const second = await runIngest(opts, openZones);
    assert.equal(second.exitCode, 0);
    assert.equal(second.processed, 12);
    assert.equal(zipGets().length, 2);
    assertYears(opts.outDir, [2011, 2012]);
  } finally {
    await server.close();
  }
});
