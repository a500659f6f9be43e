import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { parseCsv } from '../../src/common/csv.ts';
import { CgerError } from '../../src/common/errors.ts';
import { type BuildInputs, buildPanel, PANEL_COLUMNS } from '../../src/panel/build.ts';
import { defaultPanelConfig } from '../../src/panel/config.ts';
import { synthYearbook, THETA_CEE, THETA_CIWB } from '../../src/panel/synth.ts';
import { CsvEdit, smallConfig } from './helpers.ts';

const RELEASE_CO2 = new URL('../fixtures/release/expected_year.csv', import.meta.url);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function inputs(yearbookText: string, co2Text: string, config = defaultPanelConfig(), extra: Partial<BuildInputs> = {}): BuildInputs {
  return {
    yearbookText,
    yearbookPath: 'yb.csv',
    co2Text,
    co2Path: 'co2.csv',
    config,
    configSource: { path: null, sha256: null },
    extrapolate: false,
    ...extra,
  };
}

test('synthetic yearbook + mini-release CO2 (Beijing, Tianjin, Hebei, 2011): CEE and CIWB match the formulas cell by cell', async () => {
  const cfg = smallConfig(['110000', '120000', '130000'], 2011, 2011);
  const { yearbookCsv } = synthYearbook(4, cfg);
  const co2Text = readFileSync(RELEASE_CO2, 'utf8');
  const result = await buildPanel(inputs(yearbookCsv, co2Text, cfg));
  assert.deepEqual(result.header.slice(0, PANEL_COLUMNS.length), [...PANEL_COLUMNS]);
  assert.equal(result.records.length, 3);
  const co2 = new Map(parseCsv(co2Text).records.map((r) => [r.values.id, Number(r.values.co2_t)]));
  const yb = new CsvEdit(yearbookCsv);
  for (const rec of result.records) {
    const name = rec.province as string;
    const gdp = Number(yb.get(name, 2011, 'gdp')),
      pop = Number(yb.get(name, 2011, 'pop')),
      life = Number(yb.get(name, 2011, 'life_expectancy'));
    const c = co2.get(rec.province_code as string)!;
    assert.equal(rec.co2_t, c);
    // CEE in 10k yuan per tonne: gdp (100 million yuan) x 1e4 / t; CIWB = (t per person) / life x 100.
    assert.ok(rel(rec.CEE as number, (gdp * 1e4) / c) < 1e-14);
    assert.ok(rel(rec.CIWB as number, (c / (pop * 1e4) / life) * 100) < 1e-14);
    assert.equal(rec.region, 'east');
  }
  assert.deepEqual(
    result.records.map((r) => r.coastal),
    [0, 1, 1],
  );
  // Three DMUs are far below the recommended frontier size: scored, with a warning; efficient ones >= 1.
  assert.ok(result.warnings.some((w) => /TFEE frontier 2011 has 3 DMUs, fewer than the 24 recommended/.test(w)));
  assert.ok(result.records.some((r) => (r.TFEE as number) >= 1));
});

test('30 provinces x 12 years: every variable follows its formula and the planted CEE/CIWB are reproduced', async () => {
  const cfg = defaultPanelConfig();
  const synth = synthYearbook(7, cfg);
  const result = await buildPanel(inputs(synth.yearbookCsv, synth.co2Csv, cfg));
  assert.equal(result.records.length, 360);
  assert.deepEqual(result.warnings, []);
  const yb = new CsvEdit(synth.yearbookCsv);
  const byKey = new Map(result.records.map((r) => [`${r.province_code}/${r.year}`, r]));
  const meta = result.meta as any;
  const weights = meta.dcp.indicators.map((i: any) => i.weight);
  assert.ok(Math.abs(weights.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-12);
  const envMedian = meta.env_reg.median;
  for (const rec of result.records) {
    const p = rec.province as string,
      y = rec.year as number;
    const v = (c: string) => Number(yb.get(p, y, c));
    assert.ok(rel(rec.ISU as number, (v('gdp_primary') + 2 * v('gdp_secondary') + 3 * v('gdp_tertiary')) / v('gdp')) < 1e-14);
    assert.equal(rec.lngdp, Math.log(v('gdp')));
    assert.equal(rec.lnpop, Math.log(v('pop')));
    assert.equal(rec.green, v('green_area_per_capita'));
    assert.equal(rec.human, Math.log(v('college_students')));
    assert.equal(rec.ind, v('gdp_tertiary') / v('gdp_secondary'));
    assert.equal(rec.edu, Math.log(v('edu_expenditure')));
    assert.equal(rec.env_reg_high, (rec.env_reg as number) > envMedian ? 1 : 0);
    const lag = y === 2011 ? meta.dcp.pre_sample_dcp[rec.province_code as string] : byKey.get(`${rec.province_code}/${y - 1}`)!.DCP;
    assert.ok(rel(rec.iv as number, v('telegraph_1907') * lag) < 1e-14);
    assert.ok((rec.DCP as number) >= 0 && (rec.DCP as number) <= 1 && (rec.DCP_pca as number) >= 0 && (rec.DCP_pca as number) <= 1);
    assert.ok((rec.TFEE as number) > 0);
  }
  assert.equal(result.records.filter((r) => r.env_reg_high === 1).length, 180);
  // Life expectancy of the synthetic yearbook is plausible, every row is marked synthetic.
  for (const row of yb.rows) assert.match(row[yb.header.indexOf('source')], /^synthetic/);
  const lifes = result.records.map((r) => r.life_expectancy as number);
  assert.ok(Math.min(...lifes) > 60 && Math.max(...lifes) < 95, `${Math.min(...lifes)} ${Math.max(...lifes)}`);
  // The planted model: CEE - THETA_CEE x DCP - g(X) is pure noise of sd 0.025, so the OLS slope of CEE on DCP
  // after removing g(X) is THETA_CEE up to sampling error.
  const { gCee, hCiwb } = await import('../../src/panel/synth.ts');
  const { controls } = await import('../../src/panel/variables.ts');
  const resid = (y: string, f: (x: any) => number, theta: number) =>
    result.records.map((r) => {
      const x = controls(
        Object.fromEntries(
          ['gdp', 'pop', 'green_area_per_capita', 'college_students', 'gdp_tertiary', 'gdp_secondary', 'edu_expenditure'].map((c) => [c, r[c] as number]),
        ),
      );
      return (r[y] as number) - theta * (r.DCP as number) - f(x);
    });
  for (const [y, f, theta, sd] of [
    ['CEE', gCee, THETA_CEE, 0.025],
    ['CIWB', hCiwb, THETA_CIWB, 0.12],
  ] as const) {
    const e = resid(y, f, theta);
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    const s = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / (e.length - 1));
    assert.ok(Math.abs(mean) < (4 * sd) / Math.sqrt(360) && Math.abs(s / sd - 1) < 0.15, `${y}: mean ${mean}, sd ${s}`);
  }
  assert.deepEqual(synth.truth.theta, { CEE: THETA_CEE, CIWB: THETA_CIWB });
  const n = result.descriptive.find((d) => d.variable === 'CEE')!;
  assert.equal(n.N, 360);
});

test('synthetic yearbook is deterministic per seed', () => {
  const cfg = smallConfig();
  const a = synthYearbook(9, cfg),
    b = synthYearbook(9, cfg),
    c = synthYearbook(10, cfg);
  assert.equal(a.yearbookCsv, b.yearbookCsv);
  assert.equal(a.co2Csv, b.co2Csv);
  assert.notEqual(a.yearbookCsv, c.yearbookCsv);
});

test('missing CO2 for a sample province-year, partial years and ambiguous releases are errors', async () => {
  const cfg = smallConfig();
  const { yearbookCsv, co2Csv } = synthYearbook(3, cfg);
  const lines = co2Csv.trimEnd().split('\n');
  const dropped = [lines[0], ...lines.slice(1).filter((l) => !/,120000,Tianjin,2012,/.test(l))].join('\n') + '\n';
  await assert.rejects(
    buildPanel(inputs(yearbookCsv, dropped, cfg)),
    (err: unknown) => err instanceof CgerError && /no CO2 for Tianjin \(120000\) 2012/.test(err.message),
  );
  const partial = co2Csv.replace(/(,110000,Beijing,2011,)12,/, '$111,');
  await assert.rejects(buildPanel(inputs(yearbookCsv, partial, cfg)), /CO2 for Beijing \(110000\) 2011 covers 11 months, not 12/);
  const twoReleases =
    co2Csv +
    lines
      .slice(1)
      .map((l) => l.replace(/^synthetic,/, '2024,'))
      .join('\n') +
    '\n';
  await assert.rejects(buildPanel(inputs(yearbookCsv, twoReleases, cfg)), /several releases \(2024, synthetic\); choose one with --release/);
  const picked = await buildPanel(inputs(yearbookCsv, twoReleases, cfg, { release: 'synthetic' }));
  assert.equal(picked.records.length, 9);
});

test('cger synth yearbook + cger panel write the outputs; a bad yearbook exits 1 and leaves them intact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cger-panel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'panel.config.json');
  writeFileSync(config, JSON.stringify({ sample: { provinces: ['Beijing', 'Tianjin', 'Hebei', 'Shanxi'], year_from: 2011, year_to: 2012 } }));
  const yb = join(dir, 'yb.csv'),
    co2 = join(dir, 'co2.csv'),
    out = join(dir, 'out', 'panel.csv');
  let codes: number[];
  try {
    codes = [
      await main(['node', 'cger', 'synth', 'yearbook', '--seed', '2', '--config', config, '--out', yb, '--co2-out', co2]),
      await main(['node', 'cger', 'panel', '--yearbook', yb, '--co2', co2, '--config', config, '--out', out, '--quiet']),
    ];
    const panel = readFileSync(out, 'utf8');
    writeFileSync(yb, readFileSync(yb, 'utf8').replace(/,Tianjin,2012,[^,]*,/, ',Tianjin,2012,-1,'));
    codes.push(await main(['node', 'cger', 'panel', '--yearbook', yb, '--co2', co2, '--config', config, '--out', out, '--quiet']));
    assert.equal(readFileSync(out, 'utf8'), panel);
  } finally {
    process.exitCode = undefined;
  }
  assert.deepEqual(codes, [0, 0, 1]);
  assert.ok(existsSync(`${yb}.truth.json`));
  for (const f of ['panel_meta.json', 'tables/table3_descriptive.csv', 'tables/table3_descriptive.md']) assert.ok(existsSync(join(dir, 'out', f)), f);
  const meta = JSON.parse(readFileSync(join(dir, 'out', 'panel_meta.json'), 'utf8'));
  assert.equal(meta.inputs.yearbook.sha256.length, 64);
  assert.equal(meta.sample.rows, 8);
  const table = parseCsv(readFileSync(join(dir, 'out', 'tables', 'table3_descriptive.csv'), 'utf8'));
  assert.deepEqual(
    table.records.map((r) => r.values.variable),
    ['CEE', 'CIWB', 'DCP', 'DCP_pca', 'TFEE', 'ISU', 'lngdp', 'lnpop', 'green', 'human', 'ind', 'edu', 'env_reg', 'iv'],
  );
});
