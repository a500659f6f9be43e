import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { loadPanel } from '../../src/dml/index.ts';
import { tempDir } from '../helpers.ts';

test('cger dml --data reads a GBK panel (Excel on Chinese Windows) like its UTF-8 twin', () => {
  const dir = tempDir('dml-load');
  const text = 'province,year,CEE,DCP\r\n北京,2011,1.5,0.2\r\n内蒙古,2011,0.7,0.1\r\n';
  writeFileSync(join(dir, 'utf8.csv'), text);
  writeFileSync(join(dir, 'gbk.csv'), iconv.encode(text, 'gbk'));
  const a = loadPanel(join(dir, 'utf8.csv')),
    b = loadPanel(join(dir, 'gbk.csv'));
  assert.deepEqual(b.records, a.records);
  assert.equal(b.records[1].values.province, '内蒙古');
  assert.throws(() => loadPanel(join(dir, 'missing.csv')), /cannot read data file .*missing\.csv: ENOENT/);
});
