import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { md5File, parseChecksumList, parseMonthFileName, parseReleases, parseYears } from '../../src/ingest/layout.ts';

const listPath = 'test/fixtures/release/odiac2099/1km_tiff/2011/odiac2099_1km_checksum_2011.md5.txt';

test('parses the GNU md5sum list of the fixture release', () => {
  const entries = parseChecksumList(readFileSync(listPath, 'utf8'), listPath);
  assert.equal(entries.length, 12);
  assert.deepEqual(entries[0], { name: 'odiac2099_1km_excl_intl_1101.tif.gz', md5: '41de71677c51440dc2cffe373731b3b2' });
});

test('accepts BSD lines, binary-mode stars, paths and CRLF; rejects other lines naming list and line', () => {
  const text =
    'MD5 (odiac2024_1km_excl_intl_2201.tif.gz) = 0123456789ABCDEF0123456789abcdef\r\n' +
    '# comment\r\n\r\n' +
    'fedcba9876543210fedcba9876543210 *sub/odiac2024_1km_excl_intl_2202.tif\r\n';
  assert.deepEqual(parseChecksumList(text, 'x.md5.txt'), [
    { name: 'odiac2024_1km_excl_intl_2201.tif.gz', md5: '0123456789abcdef0123456789abcdef' },
    { name: 'odiac2024_1km_excl_intl_2202.tif', md5: 'fedcba9876543210fedcba9876543210' },
  ]);
  assert.throws(() => parseChecksumList('ok\n', 'list.md5.txt'), /list\.md5\.txt line 1: not an md5 checksum line/);
});

test('parses month file names', () => {
  assert.deepEqual(parseMonthFileName('odiac2024_1km_excl_intl_1103.tif.gz'), { release: '2024', year: 2011, month: 3, gzipped: true });
  assert.deepEqual(parseMonthFileName('odiac2024_1km_excl_intl_0012.tif'), { release: '2024', year: 2000, month: 12, gzipped: false });
  assert.equal(parseMonthFileName('odiac2024_1km_excl_intl_1113.tif'), null);
  assert.equal(parseMonthFileName('odiac2024_1km_checksum_2011.md5.txt'), null);
});

test('parses --years and --release', () => {
  assert.deepEqual(parseYears('2011-2013'), [2011, 2012, 2013]);
  assert.deepEqual(parseYears('2015,2011-2012,2011'), [2011, 2012, 2015]);
  assert.throws(() => parseYears('2013-2011'), /backwards/);
  assert.throws(() => parseYears('11'), /not a year/);
  assert.equal(parseReleases('latest'), 'latest');
  assert.deepEqual(parseReleases('2024, odiac2023'), ['2023', '2024']);
  assert.throws(() => parseReleases('new'), /not a release label/);
});

test('md5File matches an independent hash of the whole file', async () => {
  const file = 'test/fixtures/release/odiac2099/1km_tiff/2011/odiac2099_1km_excl_intl_1101.tif.gz';
  assert.equal(await md5File(file), createHash('md5').update(readFileSync(file)).digest('hex'));
  assert.equal(await md5File(file), '41de71677c51440dc2cffe373731b3b2');
});
