import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover } from '../../src/ingest/discover.ts';
import { downloadToPart, fetchText, HttpError } from '../../src/ingest/http.ts';
import { openSource } from '../../src/ingest/sources/registry.ts';
import { ingestOptions, tempDir } from './helpers.ts';
import { startTestServer } from './server.ts';

const root = 'test/fixtures/release';
const rel = 'odiac2099/1km_tiff/2011/odiac2099_1km_excl_intl_1101.tif.gz';
const fast = { retries: 3, backoffMs: 5, timeoutMs: 5000 };

test('download retries a 503 and resumes a cut transfer with Range; bytes equal the source', async () => {
  const server = await startTestServer(root, { fail503Once: [`/${rel}`], cutOnce: [`/${rel}`] });
  try {
    const dir = tempDir('http');
    const part = join(dir, 'x.part');
    const retries: string[] = [];
    const result = await downloadToPart(server.url + rel, part, fast, { onRetry: (m) => retries.push(m) });
    assert.deepEqual(readFileSync(part), readFileSync(join(root, rel)));
    assert.equal(result.resumed, true);
    assert.deepEqual(
      server.log.map((r) => r.status),
      [503, 200, 206],
    );
    // The resume starts where the cut transfer's received bytes end (at most half the file was sent).
    const from = Number(/^bytes=(\d+)-$/.exec(server.log[2].range ?? '')?.[1]);
    assert.ok(from > 0 && from <= readFileSync(join(root, rel)).length / 2, `resumed from ${from}`);
    assert.equal(retries.length, 2);
    assert.match(retries[0], /HTTP 503/);
  } finally {
    await server.close();
  }
});

test('an already complete part is recognised from the 416 answer, and 404 is not retried', async () => {
  const server = await startTestServer(root);
  try {
    const dir = tempDir('http');
    const part = join(dir, 'x.part');
    writeFileSync(part, readFileSync(join(root, rel)));
    const result = await downloadToPart(server.url + rel, part, fast);
    assert.equal(result.bytes, readFileSync(join(root, rel)).length);
    assert.deepEqual(
      server.log.map((r) => r.status),
      [416],
    );
    await assert.rejects(
      downloadToPart(server.url + 'nope.tif.gz', join(dir, 'n.part'), fast),
      (err: unknown) => err instanceof HttpError && err.status === 404 && !err.retryable,
    );
    assert.equal(await fetchText(server.url + 'nope.txt', fast), null);
    assert.equal(server.log.filter((r) => r.status === 404).length, 2);
    assert.equal(existsSync(join(dir, 'n.part')), false);
  } finally {
    await server.close();
  }
});

test('gives up after the retries with a message naming the URL', async () => {
  const server = await startTestServer(root, { fail503Once: [`/${rel}`] });
  try {
    await assert.rejects(fetchText(server.url + rel, { retries: 0, backoffMs: 1, timeoutMs: 5000 }), /HTTP 503 .*odiac2099_1km_excl_intl_1101\.tif\.gz/);
  } finally {
    await server.close();
  }
});

test('discovers the fixture release from a directory and over HTTP', async () => {
  const open = (location: string) => openSource(location, { http: fast, downloadDir: tempDir('http') });
  const fromDir = await discover(open(root), { releases: 'latest', years: null });
  assert.equal(fromDir.kind, 'directory');
  assert.deepEqual(
    fromDir.releases.map((r) => [r.release, r.years]),
    [['2099', [2011]]],
  );
  assert.equal(fromDir.releases[0].files.length, 12);
  assert.ok(fromDir.releases[0].files.every((f) => f.problem === null && /^[0-9a-f]{32}$/.test(f.md5 ?? '')));
  assert.deepEqual(
    fromDir.releases[0].files.map((f) => f.month),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  );

  const server = await startTestServer(root);
  try {
    await assert.rejects(discover(open(server.url), { releases: 'latest', years: null }), /name the releases to probe/);
    const fromHttp = await discover(open(server.url), { releases: ['2098', '2099'], years: [2010, 2011] });
    assert.deepEqual(
      fromHttp.releases.map((r) => [r.release, r.years]),
      [['2099', [2011]]],
    );
    assert.deepEqual(
      fromHttp.releases[0].files.map((f) => [f.month, f.md5]),
      fromDir.releases[0].files.map((f) => [f.month, f.md5]),
    );
    assert.equal(fromHttp.releases[0].files[0].location, server.url + rel);
    assert.ok(fromHttp.notes.some((n) => /release 2098 not found/.test(n)));
    assert.ok(fromHttp.notes.some((n) => /release 2099: no checksum list for 2010/.test(n)));
  } finally {
    await server.close();
  }
});

test('ingest over HTTP: a download failing its md5 is quarantined and reported, the other month is done', async () => {
  const { runIngest } = await import('../../src/ingest/index.ts');
  const { openZones } = await import('../../src/zonal/index.ts');
  const { fixtureMonths, writeRelease, monthName } = await import('./helpers.ts');
  const work = tempDir('http');
  const months = fixtureMonths();
  writeRelease(
    join(work, 'site'),
    '2099',
    new Map([
      [1, months.get(1)!],
      [2, months.get(2)!],
    ]),
    new Map([[2, '0'.repeat(32)]]),
  );
  const server = await startTestServer(join(work, 'site'));
  try {
    const result = await runIngest(ingestOptions(work, server.url, { releases: ['2099'], years: [2011], outDir: join(work, 'out'), http: fast }), openZones);
    assert.equal(result.exitCode, 2);
    assert.equal(result.processed, 1);
    assert.deepEqual(
      result.failed.map((f) => [f.month, f.status]),
      [[2, 'quarantined']],
    );
    assert.match(result.failed[0].error, /md5 mismatch .*the checksum list says 0{32}, the file has [0-9a-f]{32}; the download is kept as .*quarantine/);
    assert.deepEqual(readFileSync(join(work, 'rasters/quarantine/2099', monthName('2099', 2))), months.get(2));
    assert.equal(existsSync(join(work, 'rasters/2099/2011', monthName('2099', 2))), false);
    assert.deepEqual(readFileSync(join(work, 'rasters/2099/2011', monthName('2099', 1))), months.get(1));
    assert.equal(result.missing.length, 10);
  } finally {
    await server.close();
  }
});
