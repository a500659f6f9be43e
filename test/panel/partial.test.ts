import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { formatCsv, parseCsv } from '../../src/common/csv.ts';
import { CgerError } from '../../src/common/errors.ts';
import { findProvince } from '../../src/common/provinces.ts';
import { type PanelMeta, runPanel } from '../../src/panel/index.ts';
import { tempDir } from '../helpers.ts';
import { CsvEdit, synthSmall } from './helpers.ts';

/** Writes the small synthetic yearbook, its CO2 and a config for its sample into a fresh folder. */
function setup(prefix: string) {
  const dir = tempDir(prefix);
  const { cfg, yearbookCsv, co2Csv } = synthSmall();
  const config = join(dir, 'panel.config.json');
  writeFileSync(config, JSON.stringify({ sample: { provinces: cfg.sample.provinces, year_from: cfg.sample.yearFrom, year_to: cfg.sample.yearTo } }));
  writeFileSync(join(dir, 'co2.csv'), co2Csv);
  const run = (yearbook: string, out: string, extra: { require?: string[] } = {}) =>
    runPanel({
      yearbook: join(dir, yearbook),
      co2: join(dir, 'co2.csv'),
      config,
      configIsDefault: false,
      out: join(dir, out),
      extrapolate: false,
      ...extra,
    });
  return { dir, yearbookCsv, run };
}

const CHINESE_FULL: Record<string, string> = { Beijing: '北京市', Tianjin: '天津市', Hebei: '河北省', 'Inner Mongolia': '内蒙古自治区' };

test('a GBK yearbook with Chinese province names and Excel thousands separators gives exactly the panel of its UTF-8 twin', async () => {
  const { dir, yearbookCsv, run } = setup('panel-gbk');
  writeFileSync(join(dir, 'yb.csv'), yearbookCsv);
  const edit = new CsvEdit(yearbookCsv);
  const p = edit.header.indexOf('province'),
    g = edit.header.indexOf('gdp');
  for (const r of edit.rows) {
    r[p] = CHINESE_FULL[r[p]] ?? r[p];
    // 11788.26 as Excel shows it: 11,788.26 (quoted in the CSV).
    const v = Number(r[g]);
    if (v >= 1000) r[g] = v.toLocaleString('en-US', { maximumFractionDigits: 20 });
  }
  assert.ok(edit.rows.some((r) => r[g].includes(',')));
  writeFileSync(join(dir, 'yb_gbk.csv'), iconv.encode(edit.text().replace(/\n/g, '\r\n'), 'gbk'));
  await run('yb.csv', 'utf8/panel.csv');
  const gbk = await run('yb_gbk.csv', 'gbk/panel.csv');
  assert.equal(readFileSync(join(dir, 'gbk/panel.csv'), 'utf8'), readFileSync(join(dir, 'utf8/panel.csv'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'gbk/tables/table3_descriptive.csv'), 'utf8'), readFileSync(join(dir, 'utf8/tables/table3_descriptive.csv'), 'utf8'));
  // panel_meta.json: input paths relative to its folder, the hash of the file's bytes.
  const meta = JSON.parse(readFileSync(join(dir, 'gbk/panel_meta.json'), 'utf8')) as PanelMeta;
  assert.equal(meta.inputs.yearbook.path, '../yb_gbk.csv');
  assert.equal(meta.inputs.co2.path, '../co2.csv');
  assert.equal(meta.inputs.config.path, '../panel.config.json');
  assert.equal(
    gbk.result.meta.inputs.yearbook.sha256,
    (await import('node:crypto'))
      .createHash('sha256')
      .update(readFileSync(join(dir, 'yb_gbk.csv')))
      .digest('hex'),
  );
  assert.deepEqual(
    meta.sample.provinces.map((x) => x.name),
    ['Beijing', 'Tianjin', 'Hebei'],
  );
});

test('a file read in the wrong way: an unknown province on many rows is reported once, with a did-you-mean; a mistyped year is listed', async () => {
  const { dir, yearbookCsv, run } = setup('panel-errors');
  const edit = new CsvEdit(yearbookCsv);
  const p = edit.header.indexOf('province');
  const lines = edit.rows.map((r, i) => (r[p] === 'Hebei' ? i + 2 : 0)).filter(Boolean);
  for (const r of edit.rows) if (r[p] === 'Hebei') r[p] = '河北x';
  writeFileSync(join(dir, 'bad.csv'), edit.text());
  await assert.rejects(run('bad.csv', 'out/panel.csv'), (err: unknown) => {
    assert.ok(err instanceof CgerError);
    assert.match(
      err.message,
      new RegExp(
        `column province: unknown province "河北x" \\(did you mean 河北 / Hebei\\?\\) on ${lines.length} rows: lines ${lines[0]}-${lines[lines.length - 1]}`,
      ),
    );
    assert.ok(err.message.split('\n').length < 6, err.message);
    return true;
  });
  assert.equal(findProvince('内蒙'), null);
  // A GBK file forced to be read as UTF-8: the garbled names come with a hint about the encoding.
  writeFileSync(join(dir, 'gbk.csv'), iconv.encode(yearbookCsv.replace(/\bHebei\b/g, '河北省'), 'gbk'));
  await assert.rejects(
    runPanel({
      yearbook: join(dir, 'gbk.csv'),
      co2: join(dir, 'co2.csv'),
      config: join(dir, 'panel.config.json'),
      configIsDefault: false,
      out: join(dir, 'x/panel.csv'),
      extrapolate: false,
      encoding: 'utf8',
    }),
    /unknown province "[^"]*\uFFFD[^"]*" on 14 rows: lines 30-43\n {2}province names hold bytes [\s\S]*check --encoding/,
  );

  const typo = new CsvEdit(yearbookCsv);
  const line = typo.line('Tianjin', 2012);
  typo.set('Tianjin', 2012, 'year', '2051');
  writeFileSync(join(dir, 'typo.csv'), typo.text());
  const { result } = await run('typo.csv', 'typo/panel.csv');
  assert.ok(result.warnings.includes(`1 row(s) of year 2051 ignored, outside the years used (2000-2013): lines ${line}`), result.warnings.join('\n'));
  assert.ok(result.meta.filled_cells.some((f) => f.province === 'Tianjin' && f.year === 2012));
});

test('a yearbook without energy, life expectancy, env_reg and telegraph columns builds every other variable; --require names what is missing', async () => {
  const { dir, yearbookCsv, run } = setup('panel-partial');
  const drop = ['life_expectancy', 'env_reg', 'telegraph_1907', 'coal_raw', 'coke', 'crude_oil', 'gasoline', 'kerosene', 'diesel', 'fuel_oil', 'natural_gas'];
  const table = parseCsv(yearbookCsv);
  const header = table.header.filter((h) => !drop.includes(h));
  writeFileSync(
    join(dir, 'partial.csv'),
    formatCsv(
      header,
      table.records.map((r) => header.map((h) => r.values[h])),
    ),
  );
  const { result, paths } = await run('partial.csv', 'out/panel.csv');
  const panel = parseCsv(readFileSync(paths.panel, 'utf8'));
  for (const v of ['CEE', 'DCP', 'DCP_pca', 'ISU', 'lngdp', 'lnpop', 'green', 'human', 'ind', 'edu', 'capital_stock']) assert.ok(panel.header.includes(v), v);
  for (const v of ['CIWB', 'TFEE', 'env_reg', 'env_reg_high', 'iv', 'energy_total']) assert.ok(!panel.header.includes(v), v);
  assert.equal(panel.records.length, 9);
  const meta = JSON.parse(readFileSync(paths.meta, 'utf8')) as PanelMeta;
  assert.deepEqual(
    meta.variables.omitted.map((o) => [o.variable, o.missing_inputs.join('; ')]),
    [
      ['CIWB', 'life_expectancy'],
      ['TFEE', 'energy_total (or all fuels; missing coal_raw, coke, crude_oil, gasoline, kerosene, diesel, fuel_oil, natural_gas)'],
      ['env_reg', 'env_reg'],
      ['env_reg_high', 'env_reg'],
      ['iv', 'telegraph_1907'],
    ],
  );
  assert.equal(meta.tfee, null);
  assert.equal(meta.iv, null);
  assert.equal(result.warnings.filter((w) => w.startsWith('not built for lack of inputs: CIWB (missing life_expectancy); TFEE')).length, 1);
  const table3 = parseCsv(readFileSync(paths.tableCsv, 'utf8'));
  assert.deepEqual(
    table3.records.map((r) => r.values.variable),
    ['CEE', 'DCP', 'DCP_pca', 'ISU', 'lngdp', 'lnpop', 'green', 'human', 'ind', 'edu'],
  );
  assert.equal(paths.tableCsv, join(dir, 'out', 'tables', 'table3_descriptive.csv'));
  await assert.rejects(
    run('partial.csv', 'req/panel.csv', { require: ['CEE', 'CIWB', 'iv'] }),
    /--require: CIWB needs life_expectancy; iv needs telegraph_1907/,
  );
});
