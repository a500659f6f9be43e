import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { type CsvValue, formatCsvRecords, readTextFile } from '../common/csv.ts';
import type { TextEncoding } from '../common/encoding.ts';
import { CgerError } from '../common/errors.ts';
import { provinceByCode, provinceName } from '../common/provinces.ts';
import { version } from '../common/version.ts';
import { type Co2Table, readCo2 } from './co2.ts';
import { defaultPanelConfig, type PanelConfig, readPanelConfig } from './config.ts';
import { DERIVED_VARIABLES, omittedWarning, planVariables, type VariablePlan } from './derived.ts';
import { type DescriptiveRow, describe, descriptiveCsv, descriptiveMarkdown } from './describe.ts';
import { applyEntropyIndex, entropyIndex } from './entropy.ts';
import type { PanelMeta } from './meta.ts';
import { pcaIndex } from './pca.ts';
import { Problems } from './problems.ts';
import { loadHighs, type SbmDmu, scoreFrontier } from './sbm.ts';
import { cee, ciwb, controls, isu, median, UNITS } from './variables.ts';
import { readYearbook, type YearbookData } from './yearbook.ts';

const ID_COLUMNS: readonly string[] = ['province_code', 'province', 'year', 'region', 'coastal', 'co2_t'];

export const PANEL_COLUMNS = [
  'province_code',
  'province',
  'year',
  'region',
  'coastal',
  'co2_t',
  'CEE',
  'CIWB',
  'DCP',
  'DCP_pca',
  'TFEE',
  'ISU',
  'lngdp',
  'lnpop',
  'green',
  'human',
  'ind',
  'edu',
  'env_reg',
  'env_reg_high',
  'iv',
] as const;

/** The variables summarised in table 3. */
export const MODEL_VARIABLES = ['CEE', 'CIWB', 'DCP', 'DCP_pca', 'TFEE', 'ISU', 'lngdp', 'lnpop', 'green', 'human', 'ind', 'edu', 'env_reg', 'iv'];

export type PanelRecord = Record<string, CsvValue>;

export interface PanelResult {
  header: string[];
  records: PanelRecord[];
  meta: PanelMeta;
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
  for (const [code, rec] of yb.preSampleIndicators)
    preSample.set(
      code,
      applyEntropyIndex(
        fit,
        cols.map((c) => rec[c]),
        dirs,
      ),
    );
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
      warnings.push(
        `TFEE frontier ${g} has ${members.length} DMUs, fewer than the ${recommended} recommended for ${inputs.length} inputs and ${good.length + bad.length} outputs (Cooper, Seiford & Tone 2007): many DMUs will be efficient`,
      );
    }
    const dmus: SbmDmu[] = members.map(({ code, year }) => {
      const r = yb.values.get(code)!.get(year)!;
      return { label: `${provinceName(code)} ${year}`, inputs: inputs.map((c) => r[c]), good: good.map((c) => r[c]), bad: bad.map((c) => r[c]) };
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
  /** SHA-256 of the files' bytes when they were decoded from another encoding (default: of the text). */
  yearbookSha256?: string;
  co2Sha256?: string;
  release?: string;
  config: PanelConfig;
  configSource: { path: string | null; sha256: string | null };
  extrapolate: boolean;
  /** Variables (or yearbook columns) that must be built; the panel fails when one lacks inputs. */
  require?: string[];
}

type Key = { code: string; year: number };

/** CO2 for every sample province-year, over whole years. */
function checkCo2(co2: Co2Table, keys: Key[], file: string): void {
  const problems = new Problems();
  for (const { code, year } of keys) {
    const v = co2.co2.get(code)?.get(year);
    const name = `${provinceName(code)} (${code}) ${year}`;
    if (v === undefined) problems.add(`no CO2 for ${name}`);
    else if (!(v > 0)) problems.add(`CO2 for ${name} is ${v}; CEE needs a positive value`);
    const months = co2.months.get(code)?.get(year);
    if (months !== undefined && months !== 12) problems.add(`CO2 for ${name} covers ${months} months, not 12`);
  }
  problems.throwIfAny(`${file}${co2.release ? ` (release ${co2.release})` : ''}`, 'sample province-year(s) unusable');
}

/** Fails when a variable or column named by --require cannot be built. */
function checkRequired(require: readonly string[], plan: VariablePlan, yb: YearbookData): void {
  const known = new Set(DERIVED_VARIABLES.map((v) => v.name));
  const problems: string[] = [];
  for (const name of require) {
    const omitted = plan.omitted.find((o) => o.variable === name);
    if (omitted) problems.push(`${name} needs ${omitted.missing_inputs.join(', ')}`);
    else if (!known.has(name) && !yb.columns.has(name)) {
      problems.push(
        yb.absent.has(name) ? `${name} is not in the yearbook` : `${name} is neither a panel variable (${[...known].join(', ')}) nor a yearbook column`,
      );
    }
  }
  if (problems.length) throw new CgerError(`--require: ${problems.join('; ')}`);
}

/** Builds the analysis panel in memory (no files written). */
export async function buildPanel(input: BuildInputs): Promise<PanelResult> {
  const { config } = input;
  const yb = readYearbook(input.yearbookText, input.yearbookPath, config, { extrapolate: input.extrapolate });
  const co2: Co2Table = readCo2(input.co2Text, input.co2Path, input.release);
  const keys: Key[] = [];
  for (const code of config.sample.provinces) for (let y = config.sample.yearFrom; y <= config.sample.yearTo; y++) keys.push({ code, year: y });
  checkCo2(co2, keys, input.co2Path);
  const plan = planVariables(yb, config);
  checkRequired(input.require ?? [], plan, yb);
  const built = plan.built;

  const dcp = built.has('DCP') ? computeDcp(yb, config, keys) : null;
  const tfee = built.has('TFEE') ? await computeTfee(yb, config, keys) : null;
  const envMedian = built.has('env_reg') ? median(keys.map(({ code, year }) => yb.values.get(code)!.get(year)!.env_reg)) : NaN;
  const dcpByKey = new Map(keys.map((k, i) => [`${k.code}/${k.year}`, dcp?.fit.index[i]]));

  const derivedColumns = ['capital_stock', 'energy_total'].filter((c) => yb.columns.has(c));
  const panelColumns = PANEL_COLUMNS.filter((c) => ID_COLUMNS.includes(c) || built.has(c));
  const rawColumns = yb.rawColumns.filter((c) => !(PANEL_COLUMNS as readonly string[]).includes(c) && !derivedColumns.includes(c));
  const header = [...panelColumns, ...derivedColumns, ...rawColumns];
  const ivMissing: string[] = [];
  const records: PanelRecord[] = keys.map(({ code, year }, i) => {
    const p = provinceByCode(code)!;
    const r = yb.values.get(code)!.get(year)!;
    const co2t = co2.co2.get(code)!.get(year)!;
    const lagDcp = year === config.sample.yearFrom ? dcp?.preSample.get(code) : dcpByKey.get(`${code}/${year - 1}`);
    if (built.has('iv') && lagDcp === undefined) ivMissing.push(`${p.en} ${year}`);
    // Every formula is evaluated; the header keeps only the variables whose inputs are all present.
    const all: PanelRecord = {
      province_code: code,
      province: provinceName(code),
      year,
      region: p.region,
      coastal: p.coastal ? 1 : 0,
      co2_t: co2t,
      CEE: cee(r.gdp, co2t),
      CIWB: ciwb(co2t, r.pop, r.life_expectancy),
      DCP: dcp?.fit.index[i],
      DCP_pca: dcp?.pca.index[i],
      TFEE: tfee ? tfee.scores.get(`${code}/${year}`)!.score : undefined,
      ISU: isu(r.gdp, r.gdp_primary, r.gdp_secondary, r.gdp_tertiary),
      ...controls(r),
      env_reg: r.env_reg,
      env_reg_high: r.env_reg > envMedian ? 1 : 0,
      iv: lagDcp === undefined ? null : r.telegraph_1907 * lagDcp,
    };
    const rec: PanelRecord = Object.fromEntries(panelColumns.map((c) => [c, all[c]]));
    for (const c of [...derivedColumns, ...rawColumns]) rec[c] = r[c] ?? null;
    return rec;
  });

  const warnings = [...yb.warnings, ...(tfee?.warnings ?? [])];
  const omitted = omittedWarning(plan.omitted);
  if (omitted) warnings.push(omitted);
  if (ivMissing.length)
    warnings.push(
      `iv is empty for ${ivMissing.length} row(s) (${ivMissing.slice(0, 5).join(', ')}${ivMissing.length > 5 ? ', ...' : ''}): the yearbook has no complete DCP indicators for ${config.sample.yearFrom - 1}`,
    );
  const descriptive = describe(
    records,
    MODEL_VARIABLES.filter((v) => built.has(v)),
  );

  const meta: PanelMeta = {
    cger_version: version,
    inputs: {
      yearbook: { path: input.yearbookPath, sha256: input.yearbookSha256 ?? sha256(input.yearbookText) },
      co2: { path: input.co2Path, sha256: input.co2Sha256 ?? sha256(input.co2Text), release: co2.release || null },
      config: input.configSource,
    },
    config,
    sample: {
      provinces: config.sample.provinces.map((c) => ({ code: c, name: provinceName(c) })),
      year_from: config.sample.yearFrom,
      year_to: config.sample.yearTo,
      rows: records.length,
    },
    variables: { built: DERIVED_VARIABLES.map((v) => v.name).filter((v) => built.has(v)), omitted: plan.omitted },
    units: Object.fromEntries(Object.entries(UNITS).filter(([c]) => header.includes(c))),
    dcp: dcp && {
      method:
        "entropy weights over the pooled sample: x' min-max by direction, x'' = x' + 1e-4, e_j = -(1/ln n) sum p ln p, w_j = (1 - e_j) / sum (1 - e_k), DCP = sum w_j x'",
      n: records.length,
      indicators: config.dcp.indicators.map((ind, j) => ({
        ...ind,
        weight: dcp.fit.weights[j],
        entropy: dcp.fit.entropy[j],
        min: dcp.fit.min[j],
        max: dcp.fit.max[j],
      })),
      dimension_weights: Object.fromEntries(
        [...new Set(config.dcp.indicators.map((i) => i.dimension))].map((d) => [
          d,
          config.dcp.indicators.reduce((acc, ind, j) => acc + (ind.dimension === d ? dcp.fit.weights[j] : 0), 0),
        ]),
      ),
      pre_sample_year: config.sample.yearFrom - 1,
      pre_sample_dcp: Object.fromEntries([...dcp.preSample].map(([c, v]) => [c, v])),
    },
    dcp_pca: dcp && {
      method: 'first principal component of z-scored, direction-aligned indicators (correlation matrix), sign aligned with DCP, rescaled to [0, 1]',
      loadings: Object.fromEntries(dcp.cols.map((c, j) => [c, dcp.pca.loadings[j]])),
      variance_share: dcp.pca.varianceShare,
    },
    tfee: tfee && {
      model: 'SBM with undesirable outputs (Tone 2004), super-SBM (Tone 2002) for DMUs with rho = 1; Charnes-Cooper linear programs solved with HiGHS',
      returns_to_scale: 'constant',
      orientation: 'non-oriented',
      frontier: config.tfee.frontier,
      inputs: config.tfee.inputs,
      good_outputs: config.tfee.good,
      bad_outputs: config.tfee.bad,
      efficient_tol: config.tfee.efficientTol,
      linear_programs: tfee.lps,
      efficient_dmus: tfee.efficientCount,
    },
    derivations: yb.derivations,
    env_reg: built.has('env_reg') ? { median: envMedian, split: 'env_reg_high = 1 if env_reg > median over all sample province-years' } : null,
    iv: built.has('iv')
      ? {
          formula: 'telegraph_1907 x DCP(t-1)',
          first_year: `DCP of ${config.sample.yearFrom - 1} from the yearbook indicators, normalised with the sample's min/max and entropy weights (may leave [0, 1])`,
          missing: ivMissing,
        }
      : null,
    filled_cells: yb.filled,
    notes: yb.notes,
    warnings,
  };
  return { header, records, meta, descriptive, warnings };
}

export interface PanelPaths {
  panel: string;
  meta: string;
  tableCsv: string;
  tableMd: string;
}

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

/** panel_meta.json with input paths relative to its own folder (the outputs can move with their inputs). */
function metaForFile(meta: PanelMeta, metaPath: string): PanelMeta {
  const dir = dirname(resolve(metaPath));
  const rel = (p: string) => relative(dir, resolve(p)).split(sep).join('/');
  const { yearbook, co2, config } = meta.inputs;
  return {
    ...meta,
    inputs: {
      yearbook: { ...yearbook, path: rel(yearbook.path) },
      co2: { ...co2, path: rel(co2.path) },
      config: { ...config, path: config.path === null ? null : rel(config.path) },
    },
  };
}

export function writePanel(result: PanelResult, out: string): PanelPaths {
  const paths = panelPaths(out);
  writeFileAtomic(paths.tableCsv, descriptiveCsv(result.descriptive));
  writeFileAtomic(paths.tableMd, descriptiveMarkdown(result.descriptive, `Table 3. Descriptive statistics (N = ${result.records.length})`));
  writeFileAtomic(paths.meta, JSON.stringify(metaForFile(result.meta, paths.meta), null, 2) + '\n');
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
  require?: string[];
  /** Encoding of the yearbook and CO2 files; detected when omitted. */
  encoding?: TextEncoding;
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
  const yearbook = readTextFile(opts.yearbook, 'yearbook', opts.encoding);
  const co2 = readTextFile(opts.co2, 'CO2 file', opts.encoding);
  const result = await buildPanel({
    yearbookText: yearbook.text,
    yearbookPath: opts.yearbook,
    yearbookSha256: sha256(yearbook.bytes),
    co2Text: co2.text,
    co2Path: opts.co2,
    co2Sha256: sha256(co2.bytes),
    release: opts.release,
    config,
    configSource,
    extrapolate: opts.extrapolate,
    require: opts.require,
  });
  return { result, paths: writePanel(result, opts.out) };
}
