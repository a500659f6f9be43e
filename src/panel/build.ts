import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { formatCsvRecords, type CsvValue } from '../common/csv.ts';
import { CgerError } from '../common/errors.ts';
import { version } from '../common/version.ts';
import { defaultPanelConfig, readPanelConfig, type PanelConfig } from './config.ts';
import { readCo2, type Co2Table } from './co2.ts';
import { describe, descriptiveCsv, descriptiveMarkdown, type DescriptiveRow } from './describe.ts';
import { applyEntropyIndex, entropyIndex } from './entropy.ts';
import { pcaIndex } from './pca.ts';
import { provinceByCode } from './provinces.ts';
import { loadHighs, scoreFrontier, type SbmDmu } from './sbm.ts';
import { cee, ciwb, controls, isu, median, UNITS } from './variables.ts';
import { readYearbook, type YearbookData } from './yearbook.ts';

export const PANEL_COLUMNS = ['province_code', 'province', 'year', 'region', 'coastal', 'co2_t', 'CEE', 'CIWB', 'DCP',
  'DCP_pca', 'TFEE', 'ISU', 'lngdp', 'lnpop', 'green', 'human', 'ind', 'edu', 'env_reg', 'env_reg_high', 'iv'] as const;

/** The variables summarised in table 3. */
export const MODEL_VARIABLES = ['CEE', 'CIWB', 'DCP', 'DCP_pca', 'TFEE', 'ISU', 'lngdp', 'lnpop', 'green', 'human', 'ind', 'edu', 'env_reg', 'iv'];

export type PanelRecord = Record<string, CsvValue>;

export interface PanelResult {
  header: string[];
  records: PanelRecord[];
  meta: Record<string, unknown>;
  descriptive: DescriptiveRow[];
  warnings: string[];
}

/** Cooper, Seiford & Tone (2007) rule of thumb: n >= max(m x s, 3 (m + s)) DMUs per frontier. */
export function recommendedDmus(m: number, s: number): number {
  return Math.max(m * s, 3 * (m + s));
}

/** Computes DCP, DCP_pca (pooled over the sample) and the pre-sample DCP used by the instrument. */
export function computeDcp(yb: YearbookData, config: PanelConfig, keys: { code: string; year: number }[]) {
  const cols = config.dcp.indicators.map((i) => i.column);
  const dirs = config.dcp.indicators.map((i) => i.direction);
  const rows = keys.map(({ code, year }) => cols.map((c) => yb.values.get(code)!.get(year)![c]));
  const fit = entropyIndex(rows, dirs);
  const pca = pcaIndex(rows, dirs, fit.index);
  const preSample = new Map<string, number>();
  for (const [code, rec] of yb.preSampleIndicators) preSample.set(code, applyEntropyIndex(fit, cols.map((c) => rec[c]), dirs));
  return { fit, pca, preSample, cols, dirs };
}

/** TFEE for every sample province-year: one SBM frontier per year, or one pooled frontier. */
export async function computeTfee(yb: YearbookData, config: PanelConfig, keys: { code: string; year: number }[]) {
  const highs = await loadHighs();
  const { inputs, good, bad, frontier, efficientTol } = config.tfee;
  const names = { inputs, good, bad };
  const groups = new Map<string, { code: string; year: number }[]>();
  for (const k of keys) {
    const g = frontier === 'pooled' ? 'pooled' : String(k.year);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(k);
  }
  const scores = new Map<string, { rho: number; score: number; efficient: boolean }>();
  const efficientCount: Record<string, number> = {};
  const warnings: string[] = [];
  const recommended = recommendedDmus(inputs.length, good.length + bad.length);
  let lps = 0;
  for (const [g, members] of groups) {
    if (members.length < recommended) {
      warnings.push(`TFEE frontier ${g} has ${members.length} DMUs, fewer than the ${recommended} recommended for ${inputs.length} inputs and ${good.length + bad.length} outputs (Cooper, Seiford & Tone 2007): many DMUs will be efficient`);
    }
    const dmus: SbmDmu[] = members.map(({ code, year }) => {
      const r = yb.values.get(code)!.get(year)!;
      return { label: `${provinceByCode(code)!.en} ${year}`, inputs: inputs.map((c) => r[c]), good: good.map((c) => r[c]), bad: bad.map((c) => r[c]) };
    });
    const res = scoreFrontier(highs, dmus, names, { efficientTol });
    efficientCount[g] = res.filter((s) => s.superScore !== null).length;
    lps += res.length + efficientCount[g];
    members.forEach(({ code, year }, i) => scores.set(`${code}/${year}`, { rho: res[i].rho, score: res[i].score, efficient: res[i].superScore !== null }));
  }
  return { scores, efficientCount, warnings, lps };
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface BuildInputs {
  yearbookText: string;
  yearbookPath: string;
  co2Text: string;
  co2Path: string;
  release?: string;
  config: PanelConfig;
  configSource: { path: string | null; sha256: string | null };
  extrapolate: boolean;
}

/** Builds the analysis panel in memory (no files written). */
export async function buildPanel(input: BuildInputs): Promise<PanelResult> {
  const { config } = input;
  const yb = readYearbook(input.yearbookText, input.yearbookPath, config, { extrapolate: input.extrapolate });
  const co2: Co2Table = readCo2(input.co2Text, input.co2Path, input.release);
  const keys: { code: string; year: number }[] = [];
  for (const code of config.sample.provinces) for (let y = config.sample.yearFrom; y <= config.sample.yearTo; y++) keys.push({ code, year: y });

  // CO2 for every sample province-year, over whole years.
  const co2Problems: string[] = [];
  for (const { code, year } of keys) {
    const v = co2.co2.get(code)?.get(year);
    const name = `${provinceByCode(code)!.en} (${code}) ${year}`;
    if (v === undefined) co2Problems.push(`no CO2 for ${name}`);
    else if (!(v > 0)) co2Problems.push(`CO2 for ${name} is ${v}; CEE needs a positive value`);
    const months = co2.months.get(code)?.get(year);
    if (months !== undefined && months !== 12) co2Problems.push(`CO2 for ${name} covers ${months} months, not 12`);
  }
  if (co2Problems.length) {
    throw new CgerError(`${input.co2Path}${co2.release ? ` (release ${co2.release})` : ''}: ${co2Problems.length} sample province-year(s) unusable:\n  ${co2Problems.join('\n  ')}`);
  }

  const dcp = computeDcp(yb, config, keys);
  const tfee = await computeTfee(yb, config, keys);
  const envRegs = keys.map(({ code, year }) => yb.values.get(code)!.get(year)!.env_reg);
  const envMedian = median(envRegs);
  const dcpByKey = new Map(keys.map((k, i) => [`${k.code}/${k.year}`, dcp.fit.index[i]]));

  const derivedColumns = ['capital_stock', 'energy_total'];
  const rawColumns = yb.rawColumns.filter((c) => !(PANEL_COLUMNS as readonly string[]).includes(c));
  const header = [...PANEL_COLUMNS, ...derivedColumns, ...rawColumns];
  const ivMissing: string[] = [];
  const records: PanelRecord[] = keys.map(({ code, year }, i) => {
    const p = provinceByCode(code)!;
    const r = yb.values.get(code)!.get(year)!;
    const co2t = co2.co2.get(code)!.get(year)!;
    const lagDcp = year === config.sample.yearFrom ? dcp.preSample.get(code) : dcpByKey.get(`${code}/${year - 1}`);
    if (lagDcp === undefined) ivMissing.push(`${p.en} ${year}`);
    const rec: PanelRecord = {
      province_code: code, province: p.en, year, region: p.region, coastal: p.coastal ? 1 : 0, co2_t: co2t,
      CEE: cee(r.gdp, co2t), CIWB: ciwb(co2t, r.pop, r.life_expectancy), DCP: dcp.fit.index[i], DCP_pca: dcp.pca.index[i],
      TFEE: tfee.scores.get(`${code}/${year}`)!.score, ISU: isu(r.gdp, r.gdp_primary, r.gdp_secondary, r.gdp_tertiary),
      ...controls(r), env_reg: r.env_reg, env_reg_high: r.env_reg > envMedian ? 1 : 0,
      iv: lagDcp === undefined ? null : r.telegraph_1907 * lagDcp,
    };
    for (const c of [...derivedColumns, ...rawColumns]) rec[c] = r[c] ?? null;
    return rec;
  });

  const warnings = [...tfee.warnings];
  if (ivMissing.length) warnings.push(`iv is empty for ${ivMissing.length} row(s) (${ivMissing.slice(0, 5).join(', ')}${ivMissing.length > 5 ? ', ...' : ''}): the yearbook has no complete DCP indicators for ${config.sample.yearFrom - 1}`);
  const descriptive = describe(records, MODEL_VARIABLES);

  const meta = {
    cger_version: version,
    inputs: {
      yearbook: { path: input.yearbookPath, sha256: sha256(input.yearbookText) },
      co2: { path: input.co2Path, sha256: sha256(input.co2Text), release: co2.release || null },
      config: input.configSource,
    },
    // The configuration in effect (file or built-in defaults), so the panel can be rebuilt from the metadata.
    config,
    sample: {
      provinces: config.sample.provinces.map((c) => ({ code: c, name: provinceByCode(c)!.en })),
      year_from: config.sample.yearFrom, year_to: config.sample.yearTo, rows: records.length,
    },
    units: UNITS,
    dcp: {
      method: 'entropy weights over the pooled sample (docs/design.md §6): x\' min-max by direction, x\'\' = x\' + 1e-4, e_j = -(1/ln n) sum p ln p, w_j = (1 - e_j) / sum (1 - e_k), DCP = sum w_j x\'',
      n: records.length,
      indicators: config.dcp.indicators.map((ind, j) => ({
        ...ind, weight: dcp.fit.weights[j], entropy: dcp.fit.entropy[j], min: dcp.fit.min[j], max: dcp.fit.max[j],
      })),
      dimension_weights: Object.fromEntries([...new Set(config.dcp.indicators.map((i) => i.dimension))].map((d) => [d,
        config.dcp.indicators.reduce((acc, ind, j) => acc + (ind.dimension === d ? dcp.fit.weights[j] : 0), 0)])),
      pre_sample_year: config.sample.yearFrom - 1,
      pre_sample_dcp: Object.fromEntries([...dcp.preSample].map(([c, v]) => [c, v])),
    },
    dcp_pca: {
      method: 'first principal component of z-scored, direction-aligned indicators (correlation matrix), sign aligned with DCP, rescaled to [0, 1]',
      loadings: Object.fromEntries(dcp.cols.map((c, j) => [c, dcp.pca.loadings[j]])),
      variance_share: dcp.pca.varianceShare,
    },
    tfee: {
      model: 'SBM with undesirable outputs (Tone 2004), super-SBM (Tone 2002) for DMUs with rho = 1; Charnes-Cooper linear programs solved with HiGHS',
      returns_to_scale: 'constant', orientation: 'non-oriented', frontier: config.tfee.frontier,
      inputs: config.tfee.inputs, good_outputs: config.tfee.good, bad_outputs: config.tfee.bad,
      efficient_tol: config.tfee.efficientTol, linear_programs: tfee.lps, efficient_dmus: tfee.efficientCount,
      capital_stock: yb.derivations.capital_stock, energy_total: yb.derivations.energy_total,
    },
    env_reg: { median: envMedian, split: 'env_reg_high = 1 if env_reg > median over all sample province-years' },
    iv: { formula: 'telegraph_1907 x DCP(t-1)', first_year: `DCP of ${config.sample.yearFrom - 1} from the yearbook indicators, normalised with the sample's min/max and entropy weights (may leave [0, 1])`, missing: ivMissing },
    filled_cells: yb.filled,
    notes: yb.notes,
    warnings,
  };
  return { header, records, meta, descriptive, warnings };
}

export interface PanelPaths { panel: string; meta: string; tableCsv: string; tableMd: string }

/** output/panel.csv -> output/panel_meta.json and output/tables/table3_descriptive.{csv,md}. */
export function panelPaths(out: string): PanelPaths {
  const dir = dirname(out);
  const stem = basename(out).replace(/\.csv$/i, '');
  return {
    panel: out,
    meta: join(dir, `${stem}_meta.json`),
    tableCsv: join(dir, 'tables', 'table3_descriptive.csv'),
    tableMd: join(dir, 'tables', 'table3_descriptive.md'),
  };
}

export function writePanel(result: PanelResult, out: string): PanelPaths {
  const paths = panelPaths(out);
  writeFileAtomic(paths.tableCsv, descriptiveCsv(result.descriptive));
  writeFileAtomic(paths.tableMd, descriptiveMarkdown(result.descriptive, `Table 3. Descriptive statistics (N = ${result.records.length})`));
  writeFileAtomic(paths.meta, JSON.stringify(result.meta, null, 2) + '\n');
  writeFileAtomic(paths.panel, formatCsvRecords(result.header, result.records));
  return paths;
}

export interface PanelCommandOptions {
  yearbook: string;
  co2: string;
  release?: string;
  /** A config path; when it is the default name and absent, the built-in defaults apply. */
  config: string;
  configIsDefault: boolean;
  out: string;
  extrapolate: boolean;
}

function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CgerError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads the inputs, builds the panel and writes its files (the `cger panel` command). */
export async function runPanel(opts: PanelCommandOptions): Promise<{ result: PanelResult; paths: PanelPaths }> {
  let config: PanelConfig;
  let configSource: BuildInputs['configSource'];
  if (opts.configIsDefault && !existsSync(opts.config)) {
    config = defaultPanelConfig();
    configSource = { path: null, sha256: null };
  } else {
    config = readPanelConfig(opts.config);
    configSource = { path: opts.config, sha256: sha256(readFileSync(opts.config)) };
  }
  const result = await buildPanel({
    yearbookText: readInput(opts.yearbook, 'yearbook'), yearbookPath: opts.yearbook,
    co2Text: readInput(opts.co2, 'CO2 file'), co2Path: opts.co2, release: opts.release,
    config, configSource, extrapolate: opts.extrapolate,
  });
  return { result, paths: writePanel(result, opts.out) };
}
