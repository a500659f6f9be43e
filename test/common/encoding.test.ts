import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { readCsvFile } from '../../src/common/csv.ts';
import { decodeText, detectEncoding, parseEncoding } from '../../src/common/encoding.ts';
import { didYouMean, suggestProvince } from '../../src/common/provinces.ts';
import { tempDir } from '../helpers.ts';

const TEXT = 'province,year,gdp\r\n内蒙古自治区,2011,"11,788.26"\r\n新疆维吾尔自治区,2011,1\r\n';

test('encodings are detected from the bytes: UTF-8 with and without BOM, GBK/GB18030, UTF-16 with BOM', () => {
  const cases: [string, Buffer][] = [
    ['utf8', Buffer.from(TEXT, 'utf8')],
    ['utf8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')])],
    ['gb18030', iconv.encode(TEXT, 'gbk')],
    ['utf16le', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(TEXT, 'utf16le')])],
    ['utf16be', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(TEXT, 'utf16be')])],
  ];
  const dir = tempDir('encoding');
  for (const [enc, bytes] of cases) {
    assert.equal(detectEncoding(bytes), enc);
    assert.equal(decodeText(bytes).text, TEXT);
    const path = join(dir, `${enc}.csv`);
    writeFileSync(path, bytes);
    const table = readCsvFile(path, 'test file');
    assert.deepEqual(
      table.records.map((r) => [r.line, r.values.province, r.values.gdp]),
      [
        [2, '内蒙古自治区', '11,788.26'],
        [3, '新疆维吾尔自治区', '1'],
      ],
    );
  }
  // A forced encoding wins over detection (GBK bytes read as UTF-8 give replacement characters).
  assert.notEqual(decodeText(iconv.encode(TEXT, 'gbk'), parseEncoding('utf-8')).text, TEXT);
  assert.throws(() => parseEncoding('latin9'), /unknown encoding 'latin9'/);
  assert.throws(() => readCsvFile(join(dir, 'none.csv'), 'yearbook'), /cannot read yearbook .*none\.csv: ENOENT/);
});

test('misspelt provinces get a suggestion; nonsense gets none', () => {
  assert.equal(suggestProvince('内蒙')?.code, '150000');
  assert.equal(suggestProvince('Guangdon')?.code, '440000');
  assert.equal(suggestProvince('北京市市')?.code, '110000');
  assert.equal(suggestProvince('Xinjang')?.code, '650000');
  assert.equal(didYouMean('Atlantis'), '');
  assert.equal(didYouMean('黑龙'), ' (did you mean 黑龙江 / Heilongjiang?)');
});
