import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CO2_PER_C, checksumListName, monthFileName, parseOdiacName, yearDir, yearZipName } from '../../src/odiac/index.ts';

test('parseOdiacName reads release, year and month from ODIAC file names', () => {
  assert.deepEqual(parseOdiacName('rasters/odiac2023/1km_tiff/2011/odiac2023_1km_excl_intl_1103.tif.gz'), { release: '2023', year: 2011, month: 3 });
  assert.deepEqual(parseOdiacName('odiac2099_1km_excl_intl_1112.tif'), { release: '2099', year: 2011, month: 12 });
  assert.deepEqual(parseOdiacName('/x/odiac2020b_1km_excl_intl_0001.tif'), null, 'release must be digits');
  assert.equal(parseOdiacName('odiac2023_1km_excl_intl_1113.tif'), null, 'month 13');
  assert.equal(parseOdiacName('odiac2023_1km_excl_intl_1100.tif'), null, 'month 0');
  assert.equal(parseOdiacName('odiac_1km_excl_intl_1103.tif'), null, 'release missing');
  assert.equal(parseOdiacName('odiac2023_1km_excl_intl_1103.tif.md5'), null);
  assert.equal(parseOdiacName('odiac2023_1km_excl_intl_201103.tif'), null, 'YYMM only');
  assert.equal(parseOdiacName('jjj_strip_deflate.tif'), null);
});

test('ODIAC names are written as they are parsed', () => {
  assert.equal(monthFileName('2024', 2011, 3), 'odiac2024_1km_excl_intl_1103.tif.gz');
  assert.equal(monthFileName('2024', 2009, 12, false), 'odiac2024_1km_excl_intl_0912.tif');
  assert.deepEqual(parseOdiacName(monthFileName('2024', 2022, 7)), { release: '2024', year: 2022, month: 7 });
  assert.equal(yearZipName('2024', 2022), 'odiac2024_1km_excl_intl_2022_allmonths.tif.gz.zip');
  assert.equal(checksumListName('2024', 2022), 'odiac2024_1km_checksum_2022.md5.txt');
  assert.equal(yearDir('2024', 2022), 'odiac2024/1km_tiff/2022');
});

test('CO2 is carbon x 44/12', () => {
  assert.equal(CO2_PER_C * 12, 44);
});
