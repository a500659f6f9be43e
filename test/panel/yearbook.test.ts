import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CgerError } from '../../src/common/errors.ts';
import { findProvince } from '../../src/common/provinces.ts';
import { parsePanelConfig } from '../../src/panel/config.ts';
import { planVariables } from '../../src/panel/derived.ts';
import { perpetualInventory, readYearbook } from '../../src/panel/yearbook.ts';
import { CsvEdit, synthSmall } from './helpers.ts';

const NO_EXTRAPOLATION = { extrapolate: false };

function yearbookError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CgerError, `expected CgerError, got ${err}`);
    return err.message;
  }
  assert.fail('expected an error');
}

test('province names in common forms map to GB/T 2260 codes; unknown names do not', () => {
  const forms: [string, string][] = [
    ['北京', '110000'],
    ['北京市', '110000'],
    ['Beijing', '110000'],
    ['BJ', '110000'],
    ['110000', '110000'],
    ['内蒙古自治区', '150000'],
    ['Nei Mongol', '150000'],
    ['Inner Mongolia', '150000'],
    ['广西壮族自治区', '450000'],
    ['Shaanxi', '610000'],
    ['Shanxi', '140000'],
    ['陕西省', '610000'],
    ['Xinjiang Uygur', '650000'],
    ['hebei province', '130000'],
    ['CN-GD', '440000'],
  ];
  for (const [name, code] of forms) assert.equal(findProvince(name)?.code, code, name);
  for (const name of ['Hebie', '', 'Tokyo', '999999']) assert.equal(findProvince(name), null, name);
});

test('a clean synthetic yearbook reads without fills; capital and energy are derived', () => {
  const { cfg, yearbookCsv } = synthSmall();
  const yb = readYearbook(yearbookCsv, 'yb.csv', cfg, NO_EXTRAPOLATION);
  assert.equal(yb.filled.length, 0);
  const r = yb.values.get('120000')!.get(2012)!;
  const edit = new CsvEdit(yearbookCsv);
  // energy_total = sum of the eight fuels x GB/T 2589 coefficients (10k tonnes -> 10k tce; gas 100 million m3 x 13.3)
  const fuels: [string, number][] = [
    ['coal_raw', 0.7143],
    ['coke', 0.9714],
    ['crude_oil', 1.4286],
    ['gasoline', 1.4714],
    ['kerosene', 1.4714],
    ['diesel', 1.4571],
    ['fuel_oil', 1.4286],
    ['natural_gas', 13.3],
  ];
  const energy = fuels.reduce((acc, [f, c]) => acc + Number(edit.get('Tianjin', 2012, f)) * c, 0);
  assert.ok(Math.abs(r.energy_total - energy) < 1e-9 * energy);
  assert.ok(r.capital_stock > 0);
  assert.equal(r.telegraph_1907, Number(edit.get('Tianjin', 2011, 'telegraph_1907')));
  // The year before the sample carries the DCP indicators for the lagged instrument.
  assert.equal(yb.preSampleIndicators.size, 3);
});

test('perpetual inventory: constant investment with zero growth is its own steady state I/d', () => {
  const inv = new Map(Array.from({ length: 23 }, (_, i) => [2000 + i, 100]));
  const res = perpetualInventory(inv, 2000, 2022, 0.096, 5);
  assert.ok(res.ok);
  if (res.ok) for (const k of res.stock.values()) assert.ok(Math.abs(k - 100 / 0.096) < 1e-9);
  // Growing investment: K_2000 = I_2000 / (g + d) with g the mean growth 2000-2005, then K_t = (1 - d) K_(t-1) + I_t.
  const grow = new Map(Array.from({ length: 23 }, (_, i) => [2000 + i, 100 * 1.1 ** i]));
  const g = perpetualInventory(grow, 2000, 2022, 0.096, 5);
  assert.ok(g.ok);
  if (g.ok) {
    assert.ok(Math.abs(g.growth - 0.1) < 1e-12);
    const k2000 = 100 / (0.1 + 0.096);
    assert.ok(Math.abs(g.stock.get(2000)! - k2000) < 1e-9);
    assert.ok(Math.abs(g.stock.get(2001)! - ((1 - 0.096) * k2000 + 110)) < 1e-9);
  }
});

test('every yearbook error class names its row and column, and all are reported together', () => {
  const { cfg, yearbookCsv } = synthSmall();
  const edit = new CsvEdit(yearbookCsv);
  const lGdp = edit.line('Tianjin', 2012),
    lPop = edit.line('Hebei', 2013),
    lText = edit.line('Beijing', 2011),
    lLife = edit.line('Beijing', 2012);
  edit.set('Tianjin', 2012, 'gdp', '-5');
  edit.set('Hebei', 2013, 'pop', '0');
  edit.set('Beijing', 2011, 'so2', '12,3');
  edit.set('Beijing', 2012, 'life_expectancy', '150');
  const unknownLine = edit.line('Hebei', 2000);
  edit.set('Hebei', 2000, 'province', 'Hebie');
  edit.rows.push([...edit.rows[edit.rowIndex('Tianjin', 2011)]]);
  const dupLine = edit.rows.length + 1;
  const msg = yearbookError(() => readYearbook(edit.text(), 'yb.csv', cfg, NO_EXTRAPOLATION));
  assert.match(msg, /^yb\.csv: 6 problem\(s\)/);
  assert.match(msg, new RegExp(`line ${lGdp} \\(Tianjin 2012\\), column gdp: -5 is not positive`));
  assert.match(msg, new RegExp(`line ${lPop} \\(Hebei 2013\\), column pop: 0 is not positive`));
  assert.match(msg, new RegExp(`line ${lText} \\(Beijing 2011\\), column so2: "12,3" is not a number`));
  assert.match(msg, new RegExp(`line ${lLife} \\(Beijing 2012\\), column life_expectancy: 150 is larger than the possible maximum 120`));
  assert.match(msg, new RegExp(`line ${unknownLine}, column province: unknown province "Hebie"`));
  assert.match(msg, new RegExp(`line ${dupLine}: duplicate of line ${edit.line('Tianjin', 2011)} \\(Tianjin 2011\\)`));
});

test('missing columns are not errors: the variables that need them are named with what they lack', () => {
  const { cfg, yearbookCsv } = synthSmall();
  const edit = new CsvEdit(yearbookCsv).dropColumn('nox').dropColumn('investment').dropColumn('coke');
  const yb = readYearbook(edit.text(), 'yb.csv', cfg, NO_EXTRAPOLATION);
  assert.ok(!yb.columns.has('capital_stock') && !yb.columns.has('energy_total') && yb.columns.has('gdp'));
  const plan = planVariables(yb, cfg);
  assert.deepEqual(plan.omitted, [{ variable: 'TFEE', missing_inputs: ['capital_stock (or investment)', 'energy_total (or all fuels; missing coke)', 'nox'] }]);
  assert.ok(plan.built.has('CEE') && plan.built.has('iv'));
  assert.match(
    yearbookError(() => readYearbook(new CsvEdit(yearbookCsv).dropColumn('year').text(), 'yb.csv', cfg, NO_EXTRAPOLATION)),
    /missing column\(s\): year/,
  );
});

test('a small gap is interpolated within the province and listed; edges need --extrapolate', () => {
  const { cfg, yearbookCsv } = synthSmall();
  const edit = new CsvEdit(yearbookCsv);
  const before = Number(edit.get('Tianjin', 2011, 'gdp')),
    after = Number(edit.get('Tianjin', 2013, 'gdp'));
  edit.set('Tianjin', 2012, 'gdp', '');
  const yb = readYearbook(edit.text(), 'yb.csv', cfg, NO_EXTRAPOLATION);
  assert.deepEqual(
    yb.filled.map((f) => [f.province_code, f.year, f.column, f.method]),
    [['120000', 2012, 'gdp', 'interpolated']],
  );
  assert.ok(Math.abs(yb.values.get('120000')!.get(2012)!.gdp - (before + after) / 2) < 1e-9 * after);
  // Other provinces are untouched (no interpolation across provinces).
  assert.equal(yb.values.get('110000')!.get(2012)!.gdp, Number(edit.get('Beijing', 2012, 'gdp')));

  const clean = new CsvEdit(yearbookCsv);
  const e11 = Number(clean.get('Tianjin', 2011, 'employment')),
    e12 = Number(clean.get('Tianjin', 2012, 'employment'));
  clean.set('Tianjin', 2013, 'employment', 'NA');
  const line = clean.line('Tianjin', 2013);
  const msg = yearbookError(() => readYearbook(clean.text(), 'yb.csv', cfg, NO_EXTRAPOLATION));
  assert.match(msg, new RegExp(`line ${line} \\(Tianjin 2013\\), column employment: missing, outside the observed years 2011-2012 \\(use --extrapolate`));
  const ext = readYearbook(clean.text(), 'yb.csv', cfg, { extrapolate: true });
  assert.deepEqual(
    ext.filled.map((f) => [f.year, f.column, f.method]),
    [[2013, 'employment', 'extrapolated']],
  );
  assert.ok(Math.abs(ext.values.get('120000')!.get(2013)!.employment - (2 * e12 - e11)) < 1e-9 * e12);
});

test('gaps longer than gaps.max_consecutive, a varying telegraph count and GDP components that do not add up are errors', () => {
  const { yearbookCsv } = synthSmall();
  const cfg = parsePanelConfig(
    JSON.stringify({ sample: { provinces: ['北京', 'Tianjin', '130000'], year_from: 2011, year_to: 2013 }, gaps: { max_consecutive: 0 } }),
  );
  const edit = new CsvEdit(yearbookCsv);
  edit.set('Beijing', 2012, 'nox', '');
  edit.set('Hebei', 2012, 'telegraph_1907', '99');
  edit.set('Tianjin', 2013, 'gdp_tertiary', String(Number(edit.get('Tianjin', 2013, 'gdp_tertiary')) * 2));
  const msg = yearbookError(() => readYearbook(edit.text(), 'yb.csv', cfg, NO_EXTRAPOLATION));
  assert.match(msg, /\(Beijing 2012\), column nox: missing, gap of 1 years \(2012-2012\) is longer than gaps.max_consecutive = 0/);
  assert.match(msg, /Hebei \(130000\), column telegraph_1907: differs between rows/);
  assert.match(msg, /\(Tianjin 2013\), columns gdp_primary\+gdp_secondary\+gdp_tertiary: sum .* differs from gdp/);
});

test('panel.config.json errors name the JSON path', () => {
  assert.throws(
    () =>
      parsePanelConfig(
        JSON.stringify({
          dcp: {
            indicators: [
              { column: 'a', dimension: 'x', direction: '*' },
              { column: 'b', dimension: 'y', direction: '+' },
            ],
          },
          sample: { provinces: ['Atlantis'] },
        }),
      ),
    /dcp.indicators\[0\].direction: expected "\+" \(benefit\) or "-" \(cost\).*sample.provinces: unknown province "Atlantis"|sample.provinces: unknown province "Atlantis".*dcp.indicators\[0\].direction/,
  );
});

test('the shipped template and panel.config.json fit the reader: template columns in, defaults equal', async () => {
  const { readFileSync } = await import('node:fs');
  const { defaultPanelConfig } = await import('../../src/panel/config.ts');
  const shipped = parsePanelConfig(readFileSync(new URL('../../panel.config.json', import.meta.url), 'utf8'));
  shipped.dcp.indicators = shipped.dcp.indicators.map(({ label: _l, unit: _u, ...rest }) => rest);
  assert.deepEqual(shipped, defaultPanelConfig());
  // A yearbook laid out exactly as the template (capital_stock and energy_total left empty) reads fine:
  // investment and the fuels are used instead.
  const template = readFileSync(new URL('../../templates/yearbook.template.csv', import.meta.url), 'utf8')
    .trim()
    .split(',');
  const { cfg, yearbookCsv } = synthSmall();
  const src = new CsvEdit(yearbookCsv);
  const rows = src.rows.map((r) => template.map((c) => (src.header.includes(c) ? r[src.header.indexOf(c)] : '')));
  const laidOut = [template.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
  const yb = readYearbook(laidOut, 'template.csv', cfg, NO_EXTRAPOLATION);
  assert.match(yb.derivations.capital_stock ?? '', /perpetual inventory/);
  assert.match(yb.derivations.energy_total ?? '', /sum of coal_raw/);
});

test('extra columns: numeric ones are carried, text ones (source, notes) are left out with a note', () => {
  const { cfg, yearbookCsv } = synthSmall();
  const edit = new CsvEdit(yearbookCsv);
  edit.header.push('my_index', 'note');
  edit.rows.forEach((r, i) => r.push(String(i), i === 3 ? 'revised 2015' : ''));
  const yb = readYearbook(edit.text(), 'yb.csv', cfg, NO_EXTRAPOLATION);
  assert.ok(yb.rawColumns.includes('my_index'));
  assert.ok(!yb.rawColumns.includes('note') && !yb.rawColumns.includes('source'));
  assert.match(yb.notes.join(' '), /non-numeric extra columns not carried into the panel: source, note/);
  assert.equal(yb.values.get('110000')!.get(2011)!.my_index, Number(edit.get('Beijing', 2011, 'my_index')));
});
