import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import writeExcelFile from 'write-excel-file/node';
import { parseCsv } from '../../src/common/csv.ts';
import { CgerError } from '../../src/common/errors.ts';
import { PROVINCES } from '../../src/common/provinces.ts';
import { coverageLines, runImport } from '../../src/yearbook/index.ts';
import { fixture, runCli, tempDir } from '../helpers.ts';

const nbs = (name: string) => fixture(`nbs/${name}`);
/** The 31 provinces in the exports' row order (i = 0 is 北京市), as the fixture README numbers them. */
const ORDER = PROVINCES.filter((p) => p.region !== null || p.code === '540000').map((p) => p.en);

/** The fixtures' generating rule: base x (1 + 0.3 sin(1.7 i)) x (1 + growth)^(year - 2010), rounded. */
function rule(base: number, growth: number, i: number, year: number, digits: number): number {
  const v = base * (1 + 0.3 * Math.sin(1.7 * i)) * (1 + growth) ** (year - 2010);
  return Number(v.toFixed(digits));
}

function table(path: string) {
  return parseCsv(readFileSync(path, 'utf8'));
}

function cell(t: ReturnType<typeof table>, province: string, year: number, column: string): string | undefined {
  return t.records.find((r) => r.values.province === province && r.values.year === String(year))?.values[column];
}

test("each portal export imports to the values of the fixtures' generating rule", async () => {
  const dir = tempDir('import');
  const cases: [string, string, number, number, number][] = [
    ['gdp_wide_gbk.csv', 'gdp', 20000, 0.07, 1],
    ['pop_wide_excel_utf8bom.csv', 'pop', 4500, 0.004, 0],
    ['broadband_ports_wide_gbk.csv', 'broadband_ports', 1500, 0.12, 1],
  ];
  for (const [file, column, base, growth, digits] of cases) {
    const out = join(dir, `${column}.csv`);
    const res = await runImport({ files: [nbs(file)], out });
    assert.equal(res.files[0].layout, 'by-indicator');
    const t = table(out);
    assert.deepEqual(t.header, ['province', 'year', column]);
    let checked = 0;
    ORDER.forEach((province, i) => {
      for (let year = 2010; year <= 2023; year++) {
        const v = cell(t, province, year, column);
        if (v === '' || v === undefined) continue;
        assert.equal(Number(v), rule(base, growth, i, year, digits), `${file} ${province} ${year}`);
        checked++;
      }
    });
    // Blank cells of the broadband export stay missing: Hainan 2015, Tibet 2010-2011.
    assert.equal(checked, column === 'broadband_ports' ? 31 * 14 - 3 : 31 * 14, file);
  }
  assert.equal(cell(table(join(dir, 'gdp.csv')), 'Beijing', 2011, 'gdp'), '21400');
  assert.equal(cell(table(join(dir, 'broadband_ports.csv')), 'Hainan', 2015, 'broadband_ports'), undefined);
  assert.equal(cell(table(join(dir, 'broadband_ports.csv')), 'Tibet', 2010, 'broadband_ports'), undefined);
});

test('GBK and UTF-8-with-BOM (Excel-padded) copies of one export give byte-identical yearbooks', async () => {
  const dir = tempDir('import-enc');
  const gbk = readFileSync(nbs('gdp_wide_gbk.csv'));
  const text = iconv.decode(gbk, 'gb18030');
  // What Excel writes back: UTF-8 with BOM, LF, header and footer lines padded with commas.
  const excel = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => (l !== '' && !l.includes(',') ? `${l}${','.repeat(14)}` : l))
    .join('\n');
  writeFileSync(join(dir, 'utf8bom.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(excel, 'utf8')]));
  writeFileSync(join(dir, 'utf16.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]));
  const outs = [];
  for (const f of [nbs('gdp_wide_gbk.csv'), join(dir, 'utf8bom.csv'), join(dir, 'utf16.csv')]) {
    const out = join(dir, `out-${outs.length}.csv`);
    const res = await runImport({ files: [f], out });
    outs.push(readFileSync(out));
    assert.equal(res.rows, 31 * 14);
  }
  assert.ok(outs[0].equals(outs[1]) && outs[0].equals(outs[2]));
});

test('the by-region file merges with the by-indicator files; a value two files disagree on is a conflict naming both', async () => {
  const dir = tempDir('import-merge');
  const out = join(dir, 'yb.csv');
  const res = await runImport({ files: [nbs('gdp_wide_gbk.csv'), nbs('broadband_ports_wide_gbk.csv'), nbs('beijing_by_region_gbk.csv')], out });
  assert.deepEqual(
    res.files.map((f) => f.layout),
    ['by-indicator', 'by-indicator', 'by-region'],
  );
  assert.deepEqual(res.columns, ['gdp', 'gdp_primary', 'gdp_secondary', 'gdp_tertiary', 'pop', 'broadband_ports']);
  const t = table(out);
  assert.equal(t.records.length, 31 * 14);
  // Beijing's components follow the rule with i = 0 (bases 800, 7000, 12000; growth 3%, 5%, 9%).
  for (let year = 2010; year <= 2023; year++) {
    assert.equal(Number(cell(t, 'Beijing', year, 'gdp_primary')), rule(800, 0.03, 0, year, 1));
    assert.equal(Number(cell(t, 'Beijing', year, 'gdp_tertiary')), rule(12000, 0.09, 0, year, 1));
  }
  assert.equal(cell(t, 'Tianjin', 2011, 'gdp_primary'), '');
  assert.equal(res.conflicts.length, 0);
  const gdp = res.coverage.find((c) => c.column === 'gdp')!;
  assert.deepEqual([gdp.year_from, gdp.year_to, gdp.provinces, gdp.missing.length], [2010, 2023, 31, 0]);
  const ports = res.coverage.find((c) => c.column === 'broadband_ports')!;
  assert.deepEqual(ports.missing, [{ province: 'Hainan', year: 2015 }]);
  assert.equal(
    coverageLines(res.coverage).find((l) => l.startsWith('gdp_primary')),
    'gdp_primary: 2010-2023, 1 provinces, 14 values, ' +
      '406 sample province-year(s) missing: Tianjin 2010-2023, Hebei 2010-2023, Shanxi 2010-2023, Inner Mongolia 2010-2023, ' +
      'Liaoning 2010-2023, Jilin 2010-2023, ... (23 more provinces or runs)',
  );

  // The population export and the by-region file disagree on Beijing's population.
  const files = [nbs('pop_wide_excel_utf8bom.csv'), nbs('beijing_by_region_gbk.csv')];
  await assert.rejects(
    runImport({ files, out }),
    (err: unknown) =>
      err instanceof CgerError &&
      /14 conflicting value\(s\)/.test(err.message) &&
      /Beijing pop, 14 years 2010-2023: .*pop_wide_excel_utf8bom\.csv line 5 has 4740 \(2023\), .*beijing_by_region_gbk\.csv line 9 has 2183/.test(err.message),
  );
  const first = await runImport({ files, out, prefer: 'first' });
  assert.equal(first.conflicts.length, 14);
  assert.equal(cell(table(out), 'Beijing', 2023, 'pop'), '4740');
  // --prefer newest: the file modified last wins (copies with set modification times).
  const older = join(dir, 'pop.csv'),
    newer = join(dir, 'beijing.csv');
  writeFileSync(older, readFileSync(files[0]));
  writeFileSync(newer, readFileSync(files[1]));
  utimesSync(older, new Date('2024-01-01'), new Date('2024-01-01'));
  utimesSync(newer, new Date('2025-01-01'), new Date('2025-01-01'));
  const newest = await runImport({ files: [older, newer], out, prefer: 'newest' });
  assert.deepEqual([newest.conflicts[0].kept.file, newest.conflicts[0].other.file], [newer, older]);
  assert.equal(cell(table(out), 'Beijing', 2023, 'pop'), '2183');
  assert.equal(cell(table(out), 'Tianjin', 2023, 'pop'), '6150');
});

test('units convert by the bracket, thousands separators and full-width digits read; unmapped indicators and unknown units are errors', async () => {
  const dir = tempDir('import-units');
  const write = (name: string, lines: string[]) => {
    const p = join(dir, name);
    writeFileSync(p, iconv.encode(lines.join('\r\n') + '\r\n', 'gbk'));
    return p;
  };
  const edu = write('edu.csv', [
    '数据库：分省年度数据',
    '指标：地方财政教育支出(亿元)',
    '时间：最近2年',
    '地区,2012年,2011年',
    '北京市,"1,234.5",１１００．２５',
    '内蒙古自治区,--,987',
    '注：示例',
    '数据来源：国家统计局',
  ]);
  const out = join(dir, 'yb.csv');
  await runImport({ files: [edu], out });
  const t = table(out);
  // 亿元 -> 万元 (edu_expenditure is kept in 10k yuan): x 1e4.
  assert.equal(cell(t, 'Beijing', 2012, 'edu_expenditure'), '12345000');
  assert.equal(cell(t, 'Beijing', 2011, 'edu_expenditure'), '11002500');
  assert.equal(cell(t, 'Inner Mongolia', 2011, 'edu_expenditure'), '9870000');
  assert.equal(cell(t, 'Inner Mongolia', 2012, 'edu_expenditure'), undefined);

  const unmapped = write('x.csv', ['指标：快递业务量(万件)', '地区,2012年', '北京市,1']);
  await assert.rejects(runImport({ files: [unmapped], out }), /indicator "快递业务量" is not mapped to a yearbook column; add it with --map/);
  const badUnit = write('y.csv', ['指标：地区生产总值(万美元)', '地区,2012年', '北京市,1']);
  await assert.rejects(runImport({ files: [badUnit], out }), /indicator "地区生产总值": unknown unit "万美元"/);
  const map = join(dir, 'map.json');
  writeFileSync(map, JSON.stringify({ 快递业务量: { column: 'parcels', factor: 10000 } }));
  await runImport({ files: [unmapped], out, map });
  assert.equal(cell(table(out), 'Beijing', 2012, 'parcels'), '10000');
  const badProvince = write('z.csv', ['指标：地区生产总值(亿元)', '地区,2012年', '内蒙,1', '内蒙,2']);
  await assert.rejects(runImport({ files: [badProvince], out }), /unknown province "内蒙" \(did you mean 内蒙古 \/ Inner Mongolia\?\) on 2 rows: lines 3-4/);
  await assert.rejects(runImport({ files: [join(dir, 'old.xls')], out }), /\.xls format is not read/);
});

test('an .xlsx export in the portal layout imports like its CSV; the CLI prints coverage and exits 1 on conflicts', async () => {
  const dir = tempDir('import-xlsx');
  const csv = iconv.decode(readFileSync(nbs('gdp_wide_gbk.csv')), 'gb18030');
  const rows = csv
    .trim()
    .split(/\r\n/)
    .map((l) => l.split(',').map((c) => (/^\d+\.\d+$/.test(c) ? Number(c) : c)));
  await writeExcelFile(rows as never).toFile(join(dir, 'gdp.xlsx'));
  await runImport({ files: [join(dir, 'gdp.xlsx')], out: join(dir, 'a.csv') });
  await runImport({ files: [nbs('gdp_wide_gbk.csv')], out: join(dir, 'b.csv') });
  assert.equal(readFileSync(join(dir, 'a.csv'), 'utf8'), readFileSync(join(dir, 'b.csv'), 'utf8'));

  const ok = runCli(['yearbook', 'import', nbs('gdp_wide_gbk.csv'), nbs('broadband_ports_wide_gbk.csv'), '--out', join(dir, 'c.csv')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /coverage: gdp: 2010-2023, 31 provinces, 434 values, complete for the sample provinces/);
  assert.match(ok.stderr, /coverage: broadband_ports: 2010-2023, 31 provinces, 431 values, 1 sample province-year\(s\) missing: Hainan 2015$/m);
  const bad = runCli(['yearbook', 'import', nbs('pop_wide_excel_utf8bom.csv'), nbs('beijing_by_region_gbk.csv'), '--out', join(dir, 'd.csv')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /conflicting value/);
});
