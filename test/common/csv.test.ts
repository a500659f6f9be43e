import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCsv, parseCsv, parseCsvLines } from '../../src/common/csv.ts';

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

test('CSV parser: quoted stretches anywhere in a field, escaped quotes, line numbers across quoted newlines, CRLF and lone CR, blank lines', () => {
  const text = '\ufeffa,b,c\r\n1,"x, ""y""",3\n\n"multi\nline",ab"c,d"e,\r"",,\n"open\nto the end';
  assert.deepEqual(parseCsvLines(text), [
    { line: 1, cells: ['a', 'b', 'c'] },
    { line: 2, cells: ['1', 'x, "y"', '3'] },
    { line: 4, cells: ['multi\nline', 'abc,de', ''] },
    { line: 6, cells: ['', '', ''] },
    { line: 7, cells: ['open\nto the end'] },
  ]);
  assert.deepEqual(parseCsvLines('x,y,'), [{ line: 1, cells: ['x', 'y', ''] }]);
  assert.deepEqual(parseCsvLines(''), []);
});
