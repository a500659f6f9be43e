import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCsv, parseCsv } from '../../src/common/csv.ts';

test('CSV round-trips quoted fields, Chinese text and full-precision numbers', () => {
  const text = formatCsv(
    ['id', 'name', 'sum'],
    [
      ['110000', '北京市', 0.1 + 0.2],
      ['x', 'a,"b"', null],
    ],
  );
  assert.equal(text, 'id,name,sum\n110000,北京市,0.30000000000000004\nx,"a,""b""",\n');
  const table = parseCsv(text);
  assert.deepEqual(table.header, ['id', 'name', 'sum']);
  assert.equal(table.records[1].values.name, 'a,"b"');
  assert.equal(Number(table.records[0].values.sum), 0.1 + 0.2);
  assert.equal(table.records[1].line, 3);
});
