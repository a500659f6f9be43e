import { type CsvValue, formatCsv, formatCsvRecords } from '../common/csv.ts';
import { CgerError } from '../common/errors.ts';
import { provinceByCode } from '../common/provinces.ts';
import { createRng, type Rng } from '../common/random.ts';
import { version } from '../common/version.ts';
import { BASE_COLUMNS, DEFAULT_DCP_COLUMNS, ENERGY_COLUMNS } from './columns.ts';
import type { PanelConfig } from './config.ts';
import { entropyIndex } from './entropy.ts';
import { type Controls, controls } from './variables.ts';

/**
 * A synthetic statistical yearbook with a planted effect of DCP on CEE and CIWB, for tests and
 * the demo. Data-generating process (documented in docs/yearbook.md):
 *
 * 1. Each province draws a latent wealth `rich` (east +0.8, west -0.6, plus N(0, 0.5^2)) and a
 *    size `size` ~ N(0, 1). Population, GDP per capita, industry shares, green area, students,
 *    education spending, employment, energy (eight fuels), pollutants, investment (from the
 *    capital base year) and env_reg follow smooth trends in these and the year, with noise.
 * 2. Digital development d = logistic(-0.3 + 0.3 rich + 0.1 (t - 5.5) + a_p + xi), xi ~ N(0, 1), a_p a
 *    province effect and xi independent noise; the ten DCP indicators are noisy increasing
 *    functions of d (and size). DCP is then computed from them by the panel's own entropy code.
 * 3. With s(X) = sqrt(GDP per capita) = sqrt(exp(lngdp - lnpop)) and f(X) = 1 + 0.1 tanh(2 (ind - 1.2)):
 *    CEE  = THETA_CEE  x DCP + g(X) + e1,  g(X) = 0.5 s(X) f(X),        e1 ~ N(0, SD_CEE^2);
 *    CIWB = THETA_CIWB x DCP + h(X) + e2,  h(X) = K s(X) / f(X), K = 200/76,  e2 ~ N(0, SD_CIWB^2);
 *    THETA_CIWB = -2 K THETA_CEE, so that the DCP terms nearly cancel in CEE x CIWB.
 * 4. CO2 = GDP x 1e4 / CEE and life expectancy = 100 x (CO2 / pop) / CIWB are backed out, so the
 *    panel's CEE and CIWB reproduce the planted values exactly. Since g h = 100 gdp_pc / 76, life
 *    expectancy is 76 / ((1 + THETA_CEE DCP / g)(1 + THETA_CIWB DCP / h)) plus noise: about 76-85.
 *    Green area per capita rises with GDP per capita, so the controls reveal s(X) simply.
 */
export const THETA_CEE = 0.4;
const K_CIWB = 200 / 76;
export const THETA_CIWB = -2 * K_CIWB * THETA_CEE;
const SD_CEE = 0.025;
const SD_CIWB = 0.12;

const sqrtGdpPerCapita = (x: Controls) => Math.sqrt(Math.exp(x.lngdp - x.lnpop));
const industryFactor = (x: Controls) => 1 + 0.1 * Math.tanh(2 * (x.ind - 1.2));

/** g(X) of the CEE equation (10k yuan per tonne CO2). */
export function gCee(x: Controls): number {
  return 0.5 * sqrtGdpPerCapita(x) * industryFactor(x);
}

/** h(X) of the CIWB equation. */
export function hCiwb(x: Controls): number {
  return (K_CIWB * sqrtGdpPerCapita(x)) / industryFactor(x);
}

export interface SynthOutput {
  yearbookCsv: string;
  co2Csv: string;
  truth: Record<string, unknown>;
}

const logistic = (z: number) => 1 / (1 + Math.exp(-z));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

const FUEL_SHARES: Record<string, number> = {
  coal_raw: 0.5,
  coke: 0.08,
  crude_oil: 0.12,
  gasoline: 0.06,
  kerosene: 0.015,
  diesel: 0.08,
  fuel_oil: 0.02,
  natural_gas: 0.125,
};

/** The DCP indicators as increasing functions of latent digital development d. */
function indicators(rng: Rng, d: number, size: number, pop: number, gdp: number): Record<string, number> {
  const n = () => rng.normal();
  return {
    software_revenue: Math.exp(4.5 + 2 * d + 0.3 * size + 0.15 * n()),
    electronics_revenue: Math.exp(6 + 1.5 * d + 0.3 * size + 0.15 * n()),
    it_patents: Math.round(Math.exp(5 + 2 * d + 0.3 * size + 0.15 * n())),
    datacenter_racks: Math.exp(-1 + 2 * d + 0.3 * size + 0.15 * n()),
    broadband_ports: pop * 0.3 * Math.exp(1.0 * d + 0.1 * n()),
    optical_cable_km: Math.exp(11 + 1.2 * d + 0.5 * size + 0.1 * n()),
    mobile_base_stations: pop * 0.0025 * Math.exp(2 * d + 0.1 * n()),
    digital_finance_index: 150 + 200 * d + 10 * n(),
    ecommerce_sales: gdp * 0.15 * Math.exp(1.5 * d + 0.2 * n()),
    ecommerce_firm_share: clamp(5 + 10 * d + 1.5 * n(), 0.5, 100),
  };
}

/** Generates the synthetic yearbook, the implied provincial CO2 and the true effects. */
export function synthYearbook(seed: number, config: PanelConfig): SynthOutput {
  const generated = new Set(DEFAULT_DCP_COLUMNS.map((c) => c.name));
  const foreign = config.dcp.indicators.filter((i) => !generated.has(i.column)).map((i) => i.column);
  if (foreign.length) throw new CgerError(`synth yearbook generates the default DCP indicators only; the config asks for ${foreign.join(', ')}`);
  const rng = createRng(seed);
  const { yearFrom, yearTo } = config.sample;
  const baseYear = Math.min(config.capital.baseYear, yearFrom - 1);
  const rows: { province: string; year: number; rec: Record<string, number> }[] = [];
  const sampleRows: { code: string; year: number; rec: Record<string, number> }[] = [];

  for (const code of config.sample.provinces) {
    const prov = provinceByCode(code)!;
    const rich = (prov.region === 'east' ? 0.8 : prov.region === 'west' ? -0.6 : 0) + 0.5 * rng.normal();
    const size = rng.normal();
    const provinceEffect = 0.3 * rng.normal();
    const telegraph = Math.round(Math.exp(1.5 + 0.5 * rich + 0.4 * size + 0.4 * rng.normal()));
    let gdpFirst = 0;
    const records = new Map<number, Record<string, number>>();
    for (let year = yearTo; year >= baseYear; year--) {
      // Generated backwards so that pre-sample investment can follow the first sample year's GDP.
      const t = year - yearFrom;
      const rec: Record<string, number> = {};
      if (year >= yearFrom - 1) {
        const n = () => rng.normal();
        const pop = Math.exp(8.1 + 0.75 * size + 0.004 * t + 0.01 * n());
        const gdpPerCapita = Math.exp(Math.log(3.5) + 0.35 * rich + 0.065 * t + 0.02 * n());
        const gdp = gdpPerCapita * pop;
        const primary = clamp(0.11 - 0.035 * rich - 0.002 * t + 0.005 * n(), 0.003, 0.3);
        const tertiary = clamp(0.43 + 0.04 * rich + 0.01 * t + 0.01 * n(), 0.3, 0.85);
        const d = logistic(-0.3 + 0.3 * rich + 0.1 * (t - 5.5) + provinceEffect + 1.0 * n());
        Object.assign(rec, indicators(rng, d, size, pop, gdp));
        if (year >= yearFrom) {
          const energy = gdp * 0.85 * Math.exp(-0.045 * t - 0.1 * rich + 0.05 * n());
          Object.assign(rec, {
            gdp,
            gdp_primary: gdp * primary,
            gdp_secondary: gdp * (1 - primary - tertiary),
            gdp_tertiary: gdp * tertiary,
            pop,
            green_area_per_capita: 7 + 1.5 * gdpPerCapita + 0.1 * n(),
            college_students: Math.round(pop * 1e4 * 0.017 * Math.exp(0.15 * rich + 0.025 * t + 0.05 * n())),
            edu_expenditure: gdp * 1e4 * 0.035 * Math.exp(-0.1 * rich + 0.03 * n()),
            employment: pop * (0.55 + 0.02 * n()),
            wastewater: gdp * (1 - primary - tertiary) * 3 * Math.exp(-0.05 * t + 0.2 * n()),
            so2: energy * 25 * Math.exp(-0.15 * t - 0.2 * rich + 0.2 * n()),
            nox: energy * 22 * Math.exp(-0.1 * t + 0.2 * n()),
            dust: energy * 18 * Math.exp(-0.12 * t + 0.25 * n()),
            telegraph_1907: telegraph,
            env_reg: Math.max(0.0005, 0.004 + 0.0008 * rich + 0.0002 * t + 0.0005 * n()),
          });
          for (const [fuel, share] of Object.entries(FUEL_SHARES)) rec[fuel] = (share * energy) / config.energy.coefficients[fuel];
          if (year === yearFrom) gdpFirst = gdp;
        }
      }
      records.set(year, rec);
    }
    for (let year = baseYear; year <= yearTo; year++) {
      const rec = records.get(year)!;
      const gdp = year >= yearFrom ? rec.gdp : gdpFirst * Math.exp(-0.1 * (yearFrom - year));
      rec.investment = 0.4 * gdp * Math.exp(0.05 * rng.normal());
      if (year >= yearFrom) sampleRows.push({ code, year, rec });
      rows.push({ province: prov.en, year, rec });
    }
  }

  // DCP exactly as the panel computes it, then the outcomes.
  const cols = config.dcp.indicators.map((i) => i.column);
  const fit = entropyIndex(
    sampleRows.map((r) => cols.map((c) => r.rec[c])),
    config.dcp.indicators.map((i) => i.direction),
  );
  const xs = sampleRows.map((r) => controls(r.rec));
  const co2Rows: CsvValue[][] = [];
  sampleRows.forEach(({ code, year, rec }, i) => {
    const x = xs[i];
    const dcp = fit.index[i];
    const ceeValue = THETA_CEE * dcp + gCee(x) + SD_CEE * rng.normal();
    const ciwbValue = THETA_CIWB * dcp + hCiwb(x) + SD_CIWB * rng.normal();
    if (!(ceeValue > 0.05) || !(ciwbValue > 0.5))
      throw new CgerError(`synth: seed ${seed} gives an implausible CEE ${ceeValue} or CIWB ${ciwbValue} for ${code} ${year}; try another seed`);
    const co2 = (rec.gdp * 1e4) / ceeValue;
    rec.life_expectancy = (100 * co2) / (rec.pop * 1e4) / ciwbValue;
    co2Rows.push(['synthetic', code, provinceByCode(code)!.en, year, 12, (co2 * 12) / 44, co2]);
  });

  const header = [
    'source',
    'province',
    'year',
    ...BASE_COLUMNS.map((c) => c.name),
    'investment',
    ...ENERGY_COLUMNS.map((c) => c.name).filter((c) => c !== 'energy_total'),
    ...cols,
  ];
  const source = `synthetic (cger synth yearbook --seed ${seed})`;
  const lifes = sampleRows.map((r) => r.rec.life_expectancy);
  return {
    yearbookCsv: formatCsvRecords(
      header,
      rows.map((r) => ({ source, province: r.province, year: r.year, ...r.rec })),
    ),
    co2Csv: formatCsv(['release', 'zone_id', 'zone_name', 'year', 'months', 'sum_tC', 'co2_t'], co2Rows),
    truth: {
      generator: `cger ${version} synth yearbook`,
      seed,
      theta: { CEE: THETA_CEE, CIWB: THETA_CIWB },
      model: {
        CEE: `CEE = ${THETA_CEE} x DCP + g(X) + e, e ~ N(0, ${SD_CEE}^2); g(X) = 0.5 s(X) f(X)`,
        CIWB: `CIWB = ${THETA_CIWB} x DCP + h(X) + e, e ~ N(0, ${SD_CIWB}^2); h(X) = (200/76) s(X) / f(X)`,
        functions: 's(X) = sqrt(exp(lngdp - lnpop)) (square root of GDP per capita in 10k yuan), f(X) = 1 + 0.1 tanh(2 (ind - 1.2))',
        units: 'CEE in 10k yuan per tonne CO2; CIWB in tonnes CO2 per person per year of life expectancy x 100; DCP in [0, 1]',
        X: 'lngdp, lnpop, green, human, ind, edu (the panel controls)',
        note: 'holds for the sample, indicators and directions of the config used to generate (the panel must use the same config)',
      },
      sample: { provinces: config.sample.provinces, year_from: yearFrom, year_to: yearTo },
      life_expectancy_range: [Math.min(...lifes), Math.max(...lifes)],
    },
  };
}
