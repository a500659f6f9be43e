import { readFileSync } from 'node:fs';
import { CgerError } from '../common/errors.ts';
import { DEFAULT_SAMPLE_CODES, findProvince } from '../common/provinces.ts';

/** DCP indicator: a yearbook column, the dimension it belongs to, and whether more is better. */
export interface DcpIndicator {
  column: string;
  dimension: string;
  direction: '+' | '-';
  label?: string;
  unit?: string;
}

/** Everything about the panel that is a choice of the study rather than code (panel.config.json). */
export interface PanelConfig {
  sample: { provinces: string[]; yearFrom: number; yearTo: number };
  dcp: { indicators: DcpIndicator[] };
  tfee: {
    inputs: string[];
    good: string[];
    bad: string[];
    /** One frontier per year (the default) or one over all province-years. */
    frontier: 'contemporaneous' | 'pooled';
    /** rho >= 1 - efficientTol is treated as efficient and gets the super-SBM score. */
    efficientTol: number;
  };
  capital: {
    depreciation: number;
    baseYear: number;
    /** K_base = I_base / (g + d), g = mean annual growth of investment over this many years after the base year. */
    initialGrowthYears: number;
  };
  /** kgce per physical unit of each fuel column (GB/T 2589); energy_total = sum(fuel x coefficient). */
  energy: { coefficients: Record<string, number> };
  gaps: { maxConsecutive: number };
  checks: { gdpComponentsTolerance: number };
}

/** Standard-coal coefficients of docs/design.md §6 (GB/T 2589), for fuels in 10k tonnes (natural gas: 100 million m3). */
export const DEFAULT_ENERGY_COEFFICIENTS: Record<string, number> = {
  coal_raw: 0.7143,
  coke: 0.9714,
  crude_oil: 1.4286,
  gasoline: 1.4714,
  kerosene: 1.4714,
  diesel: 1.4571,
  fuel_oil: 1.4286,
  // 1.33 kgce per m3 x 1e8 m3 = 13.3 x 10k tce per 100 million m3
  natural_gas: 13.3,
};

export const DEFAULT_DCP_INDICATORS: DcpIndicator[] = [
  { column: 'software_revenue', dimension: 'industry', direction: '+' },
  { column: 'electronics_revenue', dimension: 'industry', direction: '+' },
  { column: 'it_patents', dimension: 'technology', direction: '+' },
  { column: 'datacenter_racks', dimension: 'technology', direction: '+' },
  { column: 'broadband_ports', dimension: 'environment', direction: '+' },
  { column: 'optical_cable_km', dimension: 'environment', direction: '+' },
  { column: 'mobile_base_stations', dimension: 'environment', direction: '+' },
  { column: 'digital_finance_index', dimension: 'application', direction: '+' },
  { column: 'ecommerce_sales', dimension: 'application', direction: '+' },
  { column: 'ecommerce_firm_share', dimension: 'application', direction: '+' },
];

export function defaultPanelConfig(): PanelConfig {
  return {
    sample: { provinces: [...DEFAULT_SAMPLE_CODES], yearFrom: 2011, yearTo: 2022 },
    dcp: { indicators: DEFAULT_DCP_INDICATORS.map((i) => ({ ...i })) },
    tfee: {
      inputs: ['capital_stock', 'employment', 'energy_total'],
      good: ['gdp'],
      bad: ['wastewater', 'so2', 'nox', 'dust'],
      frontier: 'contemporaneous',
      efficientTol: 1e-9,
    },
    capital: { depreciation: 0.096, baseYear: 2000, initialGrowthYears: 5 },
    energy: { coefficients: { ...DEFAULT_ENERGY_COEFFICIENTS } },
    gaps: { maxConsecutive: 2 },
    checks: { gdpComponentsTolerance: 0.02 },
  };
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads panel.config.json. Missing sections take the defaults; present ones are validated and
 * every problem is reported at once, naming the JSON path.
 */
export function parsePanelConfig(text: string, source = 'panel.config.json'): PanelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CgerError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw new CgerError(`${source}: expected a JSON object`);
  const cfg = defaultPanelConfig();
  const problems: string[] = [];
  const section = (name: string): Json => {
    const v = raw[name as keyof typeof raw];
    if (v === undefined) return {};
    if (!isObject(v)) {
      problems.push(`${name}: expected an object`);
      return {};
    }
    return v;
  };
  const num = (obj: Json, path: string, name: string, ok: (x: number) => boolean, what: string): number | undefined => {
    const v = obj[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !ok(v)) {
      problems.push(`${path}.${name}: expected ${what}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  };
  const strings = (obj: Json, path: string, name: string): string[] | undefined => {
    const v = obj[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) {
      problems.push(`${path}.${name}: expected an array of column names`);
      return undefined;
    }
    return v as string[];
  };

  const sample = section('sample');
  if (sample.provinces !== undefined) {
    if (!Array.isArray(sample.provinces) || sample.provinces.length === 0)
      problems.push('sample.provinces: expected a non-empty array of province names or codes');
    else {
      const codes: string[] = [];
      for (const p of sample.provinces) {
        const prov = typeof p === 'string' || typeof p === 'number' ? findProvince(String(p)) : null;
        if (!prov) problems.push(`sample.provinces: unknown province ${JSON.stringify(p)}`);
        else if (codes.includes(prov.code)) problems.push(`sample.provinces: ${JSON.stringify(p)} listed twice`);
        else codes.push(prov.code);
      }
      cfg.sample.provinces = codes.sort();
    }
  }
  const isYear = (x: number) => Number.isInteger(x) && x >= 1900 && x <= 2100;
  cfg.sample.yearFrom = num(sample, 'sample', 'year_from', isYear, 'a year') ?? cfg.sample.yearFrom;
  cfg.sample.yearTo = num(sample, 'sample', 'year_to', isYear, 'a year') ?? cfg.sample.yearTo;
  if (cfg.sample.yearTo < cfg.sample.yearFrom) problems.push(`sample: year_to ${cfg.sample.yearTo} is before year_from ${cfg.sample.yearFrom}`);

  const dcp = section('dcp');
  if (dcp.indicators !== undefined) {
    if (!Array.isArray(dcp.indicators) || dcp.indicators.length < 2) problems.push('dcp.indicators: expected an array of at least 2 indicators');
    else {
      cfg.dcp.indicators = [];
      dcp.indicators.forEach((ind: unknown, i: number) => {
        const path = `dcp.indicators[${i}]`;
        if (!isObject(ind)) {
          problems.push(`${path}: expected an object`);
          return;
        }
        const { column, dimension, direction, label, unit } = ind;
        if (typeof column !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) problems.push(`${path}.column: expected a column name`);
        if (typeof dimension !== 'string' || dimension === '') problems.push(`${path}.dimension: expected a dimension name`);
        if (direction !== '+' && direction !== '-') problems.push(`${path}.direction: expected "+" (benefit) or "-" (cost), got ${JSON.stringify(direction)}`);
        if (cfg.dcp.indicators.some((d) => d.column === column)) problems.push(`${path}.column: ${column} listed twice`);
        cfg.dcp.indicators.push({
          column: String(column),
          dimension: String(dimension),
          direction: direction === '-' ? '-' : '+',
          ...(typeof label === 'string' ? { label } : {}),
          ...(typeof unit === 'string' ? { unit } : {}),
        });
      });
    }
  }

  const tfee = section('tfee');
  for (const k of ['inputs', 'good', 'bad'] as const) {
    const v = strings(tfee, 'tfee', k);
    if (v) {
      if (v.length === 0 && k !== 'bad') problems.push(`tfee.${k}: needs at least one column`);
      cfg.tfee[k] = v;
    }
  }
  if (tfee.frontier !== undefined) {
    if (tfee.frontier !== 'contemporaneous' && tfee.frontier !== 'pooled') problems.push(`tfee.frontier: expected "contemporaneous" or "pooled"`);
    else cfg.tfee.frontier = tfee.frontier;
  }
  cfg.tfee.efficientTol = num(tfee, 'tfee', 'efficient_tol', (x) => x >= 0 && x < 0.01, 'a tolerance in [0, 0.01)') ?? cfg.tfee.efficientTol;

  const capital = section('capital');
  cfg.capital.depreciation = num(capital, 'capital', 'depreciation', (x) => x > 0 && x < 1, 'a rate in (0, 1)') ?? cfg.capital.depreciation;
  cfg.capital.baseYear = num(capital, 'capital', 'base_year', isYear, 'a year') ?? cfg.capital.baseYear;
  cfg.capital.initialGrowthYears =
    num(capital, 'capital', 'initial_growth_years', (x) => Number.isInteger(x) && x >= 1, 'a whole number >= 1') ?? cfg.capital.initialGrowthYears;

  const energy = section('energy');
  if (energy.coefficients !== undefined) {
    if (!isObject(energy.coefficients) || Object.keys(energy.coefficients).length === 0)
      problems.push('energy.coefficients: expected an object {fuel column: coefficient}');
    else {
      cfg.energy.coefficients = {};
      for (const [k, v] of Object.entries(energy.coefficients)) {
        if (typeof v !== 'number' || !(v > 0)) problems.push(`energy.coefficients.${k}: expected a positive number`);
        else cfg.energy.coefficients[k] = v;
      }
    }
  }
  const gaps = section('gaps');
  cfg.gaps.maxConsecutive = num(gaps, 'gaps', 'max_consecutive', (x) => Number.isInteger(x) && x >= 0, 'a whole number >= 0') ?? cfg.gaps.maxConsecutive;
  const checks = section('checks');
  cfg.checks.gdpComponentsTolerance = num(checks, 'checks', 'gdp_components_tolerance', (x) => x >= 0, 'a share >= 0') ?? cfg.checks.gdpComponentsTolerance;

  if (problems.length) throw new CgerError(`${source}: ${problems.join('; ')}`);
  return cfg;
}

export function readPanelConfig(path: string): PanelConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CgerError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePanelConfig(text, path);
}
