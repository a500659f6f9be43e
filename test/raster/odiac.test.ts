import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOdiacName } from '../../src/raster/index.ts';

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
