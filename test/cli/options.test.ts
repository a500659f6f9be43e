import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wholeNumber } from '../../src/cli/options.ts';
import { boundary, fixture, runCli } from '../helpers.ts';

test('whole-number options accept whole numbers at or above their minimum and refuse the rest', () => {
  assert.equal(wholeNumber('4', '--threads'), 4);
  assert.equal(wholeNumber(' 0 ', '--seed', 0), 0);
  for (const bad of ['', ' ', '2.5', '8x', '0x10', '-1', '0', 'NaN', '1e400']) {
    assert.throws(() => wholeNumber(bad, '--threads'), new RegExp(`^CgerError: --threads: "${bad.replace(/[.+]/g, '\\$&')}" is not a whole number >= 1$`), bad);
  }
});

test('cger aggregate refuses a malformed --threads before reading anything', () => {
  const r = runCli(['aggregate', '--zones', boundary('cn-provinces-ctamap2023.geojson'), '--threads', '2x', fixture('jjj/jjj_strip_deflate.tif')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--threads: "2x" is not a whole number >= 1/);
  assert.equal(r.stdout, '');
});
