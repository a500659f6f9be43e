import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { CgerError, errorMessage } from '../common/errors.ts';
import { createProgress } from '../common/progress.ts';
import { version } from '../common/version.ts';
import { contourSvg } from './contour.ts';
import { loadPanel, type PanelData } from './design.ts';
import { type DmlEstimate, type DmlSpec, type PreparedDml, prepareDml, runPrepared } from './estimate.ts';
import { createExecutor } from './executor.ts';
import { isLearnerName, LEARNERS } from './learners/index.ts';
import type { LearnerRole } from './models/index.ts';
import type { Inference } from './scores.ts';
import { checkScenario, DEFAULT_SCENARIO, type Sensitivity, type SensitivityScenario } from './sensitivity.ts';
import { SENSITIVITY_NOTE, sensitivityGrid, type TableColumn, type TableStat, tableCsv, tableGrid, tableLatex, tableMarkdown, tableNote } from './tables.ts';

/**
 * The estimation battery: a declarative JSON spec of tables, each a list of models. Settings
 * cascade: spec `defaults` <- table `defaults` <- model. Users edit the spec, not code; the
 * shipped default (battery.default.json) reproduces the study's Tables 4-11.
 */
export interface ModelSettings {
  y?: string;
  d?: string;
  x?: string[];
  z?: string | null;
  learner?: string;
  /** Hyper-parameters per learner, e.g. {"rf": {"trees": 500}}; merged key by key. */
  learner_params?: Record<string, Record<string, number>>;
  folds?: number;
  reps?: number;
  seed?: number;
  cluster?: string | null;
  fe?: string[];
  winsorize?: number;
  squares?: boolean;
  where?: string | null;
  /** Label of the subsample shown in the table's Sample row. */
  sample?: string | null;
  /** plr (pliv with z) or irm; IRM's score (ATE / ATTE) and propensity trimming. */
  model?: 'plr' | 'pliv' | 'irm';
  score?: 'ATE' | 'ATTE';
  trimming?: number;
  /** Learner per nuisance role, e.g. {"m": "logit"}; `learner` for the others. */
  learners?: Partial<Record<LearnerRole, string>>;
  drop_missing?: boolean;
}

export interface ModelSpec extends ModelSettings {
  label: string;
}
/** A table's sensitivity companion: true for the default scenario, or the scenario's values. */
export type SensitivitySetting = boolean | Partial<Pick<SensitivityScenario, 'cf_y' | 'cf_d' | 'rho' | 'level'>>;
export interface TableSpec {
  id: string;
  title: string;
  note?: string;
  defaults?: ModelSettings;
  models: ModelSpec[];
  sensitivity?: SensitivitySetting;
}
export interface BatterySpec {
  description?: string;
  defaults?: ModelSettings;
  tables: TableSpec[];
}

const SETTING_KEYS = [
  'y',
  'd',
  'x',
  'z',
  'learner',
  'learner_params',
  'folds',
  'reps',
  'seed',
  'cluster',
  'fe',
  'winsorize',
  'squares',
  'where',
  'sample',
  'model',
  'score',
  'trimming',
  'learners',
  'drop_missing',
];

function checkKeys(obj: unknown, allowed: string[], where: string): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new CgerError(`battery spec ${where}: expected an object`);
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new CgerError(`battery spec ${where}: unknown key '${key}' (allowed: ${allowed.join(', ')})`);
  }
  return obj as Record<string, unknown>;
}

function checkSettings(obj: unknown, where: string, extra: string[] = []): void {
  const s = checkKeys(obj, [...SETTING_KEYS, ...extra], where);
  const expect = (key: string, ok: (v: unknown) => boolean, what: string): void => {
    if (s[key] !== undefined && !ok(s[key])) throw new CgerError(`battery spec ${where}.${key}: expected ${what}, got ${JSON.stringify(s[key])}`);
  };
  const str = (v: unknown): boolean => typeof v === 'string' && v !== '';
  const strOrNull = (v: unknown): boolean => v === null || str(v);
  const strList = (v: unknown): boolean => Array.isArray(v) && v.every(str);
  const int =
    (min: number) =>
    (v: unknown): boolean =>
      Number.isInteger(v) && (v as number) >= min;
  for (const k of ['y', 'd', 'learner']) expect(k, str, 'a non-empty string');
  for (const k of ['z', 'cluster', 'where', 'sample']) expect(k, strOrNull, 'a string or null');
  for (const k of ['x', 'fe']) expect(k, strList, 'a list of column names');
  expect('folds', int(2), 'an integer >= 2');
  expect('reps', int(1), 'an integer >= 1');
  expect('seed', int(0), 'a non-negative integer');
  expect('winsorize', (v) => typeof v === 'number' && v >= 0 && v < 0.5, 'a share in [0, 0.5)');
  expect('squares', (v) => typeof v === 'boolean', 'true or false');
  expect('drop_missing', (v) => typeof v === 'boolean', 'true or false');
  expect('model', (v) => v === 'plr' || v === 'pliv' || v === 'irm', '"plr", "pliv" or "irm"');
  expect('score', (v) => v === 'ATE' || v === 'ATTE', '"ATE" or "ATTE"');
  expect('trimming', (v) => typeof v === 'number' && v >= 0 && v < 0.5, 'a share in [0, 0.5)');
  if (s.learners !== undefined) {
    const roles = checkKeys(s.learners, ['l', 'm', 'r', 'g'], `${where}.learners`);
    for (const [role, name] of Object.entries(roles)) {
      if (typeof name !== 'string' || !isLearnerName(name))
        throw new CgerError(
          `battery spec ${where}.learners.${role}: unknown learner ${JSON.stringify(name)} (choose one of ${Object.keys(LEARNERS).join(', ')})`,
        );
    }
  }
  if (s.learner !== undefined && !isLearnerName(s.learner as string)) {
    throw new CgerError(`battery spec ${where}.learner: unknown learner '${s.learner}' (choose one of ${Object.keys(LEARNERS).join(', ')})`);
  }
  if (s.learner_params !== undefined) {
    const lp = checkKeys(s.learner_params, Object.keys(LEARNERS), `${where}.learner_params`);
    for (const [name, params] of Object.entries(lp)) {
      const p = checkKeys(params, Object.keys(LEARNERS[name].params), `${where}.learner_params.${name}`);
      for (const [k, v] of Object.entries(p)) {
        if (typeof v !== 'number') throw new CgerError(`battery spec ${where}.learner_params.${name}.${k}: expected a number`);
      }
    }
  }
}

/** Validates a parsed spec (unknown keys and wrong types are errors naming their place). */
export function checkBatterySpec(raw: unknown): BatterySpec {
  const top = checkKeys(raw, ['description', 'defaults', 'tables'], '(top level)');
  if (top.defaults !== undefined) checkSettings(top.defaults, 'defaults');
  if (!Array.isArray(top.tables) || top.tables.length === 0) throw new CgerError('battery spec: "tables" must be a non-empty list');
  const ids = new Set<string>();
  top.tables.forEach((table, t) => {
    const where = `tables[${t}]`;
    const tb = checkKeys(table, ['id', 'title', 'note', 'defaults', 'models', 'sensitivity'], where);
    if (tb.sensitivity !== undefined && typeof tb.sensitivity !== 'boolean') {
      const sens = checkKeys(tb.sensitivity, ['cf_y', 'cf_d', 'rho', 'level'], `${where}.sensitivity`);
      checkScenario({ ...DEFAULT_SCENARIO, ...(sens as Partial<SensitivityScenario>) });
    }
    if (typeof tb.id !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(tb.id)) throw new CgerError(`battery spec ${where}.id: expected a file-name-safe string`);
    if (ids.has(tb.id)) throw new CgerError(`battery spec ${where}.id: '${tb.id}' is used twice`);
    ids.add(tb.id);
    if (typeof tb.title !== 'string') throw new CgerError(`battery spec ${where}.title: expected a string`);
    if (tb.note !== undefined && typeof tb.note !== 'string') throw new CgerError(`battery spec ${where}.note: expected a string`);
    if (tb.defaults !== undefined) checkSettings(tb.defaults, `${where}.defaults`);
    if (!Array.isArray(tb.models) || tb.models.length === 0) throw new CgerError(`battery spec ${where}.models: must be a non-empty list`);
    tb.models.forEach((model, m) => {
      checkSettings(model, `${where}.models[${m}]`, ['label']);
      if (typeof (model as ModelSpec).label !== 'string') throw new CgerError(`battery spec ${where}.models[${m}].label: expected a string`);
    });
  });
  return raw as BatterySpec;
}

export function loadBatterySpec(path?: string): BatterySpec {
  const file = path ?? new URL('./battery.default.json', import.meta.url);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CgerError(`cannot read battery spec ${String(path ?? 'battery.default.json')}: ${errorMessage(err)}`);
  }
  return checkBatterySpec(raw);
}

/** Cascades settings; learner_params merge per learner and key; `where` restrictions add up (&&). */
function mergeSettings(...levels: (ModelSettings | undefined)[]): ModelSettings {
  const out: ModelSettings = {};
  for (const level of levels) {
    if (!level) continue;
    const { learner_params: lp, where, ...rest } = level;
    Object.assign(out, rest);
    if (where) out.where = out.where ? `(${out.where}) && (${where})` : where;
    if (lp) {
      out.learner_params = { ...out.learner_params };
      for (const [name, params] of Object.entries(lp)) out.learner_params[name] = { ...out.learner_params[name], ...params };
    }
  }
  return out;
}

function toDmlSpec(s: ModelSettings, where: string): DmlSpec {
  if (!s.y || !s.d || !s.x) throw new CgerError(`battery spec ${where}: y, d and x must be set (here or in defaults)`);
  return {
    y: s.y,
    d: s.d,
    x: s.x,
    z: s.z ?? undefined,
    learner: s.learner ?? 'rf',
    learners: s.learners,
    learnerParams: s.learner_params,
    model: s.model,
    score: s.score,
    trimming: s.trimming,
    dropMissing: s.drop_missing,
    folds: s.folds ?? 5,
    reps: s.reps ?? 1,
    seed: s.seed ?? 42,
    cluster: s.cluster ?? undefined,
    fe: s.fe ?? [],
    winsorize: s.winsorize ?? 0,
    squares: s.squares ?? false,
    where: s.where ?? undefined,
  };
}

/**
 * One entry of tables.json: a table's caption, in the spec's order; its cells are in `<id>.csv`.
 * A sensitivity table follows the table it bounds, with its contour plot's file name when drawn.
 */
export interface BatteryTable {
  id: string;
  title: string;
  note: string;
  kind: 'estimates' | 'sensitivity';
  contour?: string;
}

/** One row of estimates.json. */
export interface BatteryEstimate extends Inference {
  table: string;
  column: string;
  model: DmlEstimate['model'];
  y: string;
  d: string;
  z: string | null;
  learner: string;
  K: number;
  folds: number;
  reps: number;
  n_obs: number;
  n_clusters: number | null;
  seed: number;
  options: {
    x: string[];
    controls: string[];
    fe: string[];
    cluster: string | null;
    winsorize: number;
    squares: boolean;
    where: string | null;
    sample: string | null;
    learner_params: Record<string, number>;
  };
  rep_estimates: { theta: number; se: number }[];
  /** Learner of each nuisance function. */
  learners: Record<string, string>;
  first_stage_f: number | null;
  sensitivity: Sensitivity | null;
  warnings: string[];
  data: string;
  data_sha256: string;
  cger_version: string;
}

export interface BatteryOptions {
  /** Data file path or an already parsed table. */
  data: string | PanelData;
  /** Spec file path or object; the shipped default when omitted. */
  spec?: string | BatterySpec;
  outDir: string;
  quiet?: boolean;
  threads?: number;
  /** Fail when any cell cannot run, instead of skipping it. */
  strict?: boolean;
  /** What the tables show in parentheses under a coefficient (default t). */
  tableStat?: TableStat;
}

export interface BatteryResult {
  estimates: BatteryEstimate[];
  /** Cells not estimated, with the reason (also in the tables' notes and estimates.json). */
  skipped: SkippedCell[];
  files: string[];
  /** Wall-clock seconds, and CPU seconds of the whole process (all threads) per estimate. */
  seconds: { total: number; perEstimate: number[]; cpuPerEstimate: number[] };
}

/** Runs every model of the spec, then writes each table (CSV, Markdown, LaTeX), estimates.json and tables.json. */
export async function runBattery(options: BatteryOptions): Promise<BatteryResult> {
  const data = typeof options.data === 'string' ? loadPanel(options.data) : options.data;
  const spec = typeof options.spec === 'object' ? checkBatterySpec(options.spec) : loadBatterySpec(options.spec);
  // Provenance: the data file's SHA-256 (as sha256sum prints it), or of the parsed table when given in memory.
  const dataHash = createHash('sha256')
    .update(typeof options.data === 'string' ? readFileSync(options.data) : JSON.stringify([data.header, data.records.map((r) => r.values)]))
    .digest('hex');

  // Prepare (and so check) every model before fitting any; cells the data cannot serve are skipped.
  const { jobs, skipped, rowNotes } = planCells(spec, data, Boolean(options.strict));
  reportSkipped(skipped, options.quiet);

  const started = performance.now();
  const perEstimate: number[] = [],
    cpuPerEstimate: number[] = [];
  const results: DmlEstimate[] = [];
  const progress = createProgress({ label: 'dml battery', total: jobs.length, unit: 'estimates', quiet: options.quiet });
  const exec = createExecutor(options.threads);
  try {
    for (const job of jobs) {
      const t0 = performance.now(),
        cpu0 = process.cpuUsage();
      results.push(await runPrepared(job.prepared, { executor: exec }));
      const secs = (performance.now() - t0) / 1000,
        cpu = process.cpuUsage(cpu0);
      perEstimate.push(secs);
      cpuPerEstimate.push((cpu.user + cpu.system) / 1e6);
      progress.tick(1, `${job.table.id} ${job.model.label} ${secs.toFixed(1)} s`);
    }
  } finally {
    progress.stop();
    await exec.close();
  }

  const estimates: BatteryEstimate[] = jobs.map((job, i) => {
    const e = results[i];
    const s = job.settings;
    return {
      table: job.table.id,
      column: job.model.label,
      model: e.model,
      y: e.y,
      d: e.d,
      z: e.z,
      learner: e.learner,
      K: e.folds,
      folds: e.folds,
      reps: e.reps,
      theta: e.theta,
      se: e.se,
      t: e.t,
      p: e.p,
      ci_lower: e.ci_lower,
      ci_upper: e.ci_upper,
      n_obs: e.n_obs,
      n_clusters: e.n_clusters,
      seed: e.seed,
      options: {
        x: s.x ?? [],
        controls: e.controls,
        fe: s.fe ?? [],
        cluster: s.cluster ?? null,
        winsorize: s.winsorize ?? 0,
        squares: s.squares ?? false,
        where: s.where ?? null,
        sample: s.sample ?? null,
        learner_params: e.learner_params,
      },
      rep_estimates: e.rep_estimates,
      learners: Object.fromEntries(Object.entries(e.nuisances).map(([name, n]) => [name, n.learner])),
      first_stage_f: e.first_stage?.f ?? null,
      sensitivity: e.sensitivity,
      warnings: e.warnings,
      data: data.source,
      data_sha256: dataHash,
      cger_version: version,
    };
  });

  const files: string[] = [];
  const captions: BatteryTable[] = [];
  const write = (name: string, text: string): void => {
    const path = join(options.outDir, name);
    writeFileAtomic(path, text);
    files.push(path);
  };
  for (const table of spec.tables) {
    const columns: TableColumn[] = jobs.flatMap((job, i) =>
      job.table !== table
        ? []
        : [
            {
              label: job.model.label,
              estimate: results[i],
              fe: job.settings.fe ?? [],
              winsorize: job.settings.winsorize ?? 0,
              squares: job.settings.squares ?? false,
              cluster: job.settings.cluster ?? null,
              sample: job.settings.sample ?? job.settings.where ?? null,
            },
          ],
    );
    const stat = options.tableStat ?? 't';
    const grid = tableGrid(columns, stat);
    const note = [tableNote(stat), table.note, ...cellNotes(table.id, skipped, rowNotes)].filter(Boolean).join(' ');
    write(`${table.id}.csv`, tableCsv(grid));
    write(`${table.id}.md`, tableMarkdown(table.title, grid, note));
    write(`${table.id}.tex`, tableLatex(table.title, table.id, grid, note));
    captions.push({ id: table.id, title: table.title, note, kind: 'estimates' });
    if (table.sensitivity) {
      const id = `${table.id}_sensitivity`;
      const title = `${table.title}: sensitivity to unobserved confounding`;
      const sensGrid = sensitivityGrid(columns);
      write(`${id}.csv`, tableCsv(sensGrid));
      write(`${id}.md`, tableMarkdown(title, sensGrid, SENSITIVITY_NOTE));
      write(`${id}.tex`, tableLatex(title, id, sensGrid, SENSITIVITY_NOTE));
      const first = columns.find((c) => c.estimate.sensitivity && c.estimate.sensitivityInputs);
      const contour = first ? `${id}_contour.svg` : undefined;
      if (first && contour) write(contour, contourSvg(first.estimate, { title: `${first.label}: ${first.estimate.d} on ${first.estimate.y}` }));
      captions.push({ id, title, note: SENSITIVITY_NOTE, kind: 'sensitivity', contour });
    }
  }
  write('estimates.json', JSON.stringify([...estimates, ...skipped], null, 2) + '\n');
  write('tables.json', JSON.stringify(captions, null, 2) + '\n');
  return { estimates, skipped, files, seconds: { total: (performance.now() - started) / 1000, perEstimate, cpuPerEstimate } };
}

/** A battery cell that was not estimated; listed in estimates.json after the estimates. */
export interface SkippedCell {
  table: string;
  column: string;
  skipped: string;
}

interface CellJob {
  table: TableSpec;
  model: ModelSpec;
  settings: ModelSettings;
  prepared: PreparedDml;
}

/** The columns a cell reads, and which of them must hold a number on every row it uses. */
function cellColumns(s: ModelSettings): { all: string[]; numeric: string[] } {
  const numeric = [s.y, s.d, s.z ?? undefined, ...(s.x ?? [])].filter((c): c is string => Boolean(c));
  return { all: [...numeric, ...(s.fe ?? []), ...(s.cluster ? [s.cluster] : [])], numeric };
}

/**
 * The rows of `data` with a value in every numeric column of the cell, and a note when some rows
 * lack one (e.g. "(3) IV: 2012-2022, 330 rows (iv missing on 30 rows)").
 */
function cellRows(data: PanelData, s: ModelSettings, label: string): { data: PanelData; note: string | null } {
  const { numeric } = cellColumns(s);
  const keep = data.records.filter((r) => numeric.every((c) => (r.values[c] ?? '') !== ''));
  if (keep.length === data.records.length) return { data, note: null };
  const lacking = numeric.map((c) => [c, data.records.filter((r) => (r.values[c] ?? '') === '').length] as const).filter(([, n]) => n > 0);
  const years = keep.map((r) => Number(r.values.year)).filter(Number.isFinite);
  const span = years.length ? `${Math.min(...years)}-${Math.max(...years)}, ` : '';
  const note = `${label}: ${span}${keep.length} rows (${lacking.map(([c, n]) => `${c} missing on ${n} rows`).join(', ')}).`;
  return { data: { ...data, records: keep }, note };
}

/**
 * Checks the whole spec against the data before anything is fitted: a cell whose columns are not
 * in the data, or whose rows cannot make an estimation sample, is skipped with the reason (an
 * error with `strict`). Spec mistakes (no y, d or x) are errors either way.
 */
function planCells(spec: BatterySpec, data: PanelData, strict: boolean) {
  const jobs: CellJob[] = [];
  const skipped: SkippedCell[] = [];
  const places: string[] = [];
  const rowNotes = new Map<string, string[]>();
  for (const table of spec.tables) {
    table.models.forEach((model, m) => {
      const settings = mergeSettings(spec.defaults, table.defaults, model);
      const where = `${table.id} column ${m + 1} '${model.label}'`;
      const dmlSpec = toDmlSpec(settings, where);
      // Sensitivity bounds exist for PLR and IRM without clustering; other columns show none.
      if (table.sensitivity && !dmlSpec.z && dmlSpec.model !== 'pliv' && !dmlSpec.cluster) {
        dmlSpec.sensitivity = { ...DEFAULT_SCENARIO, ...(table.sensitivity === true ? {} : table.sensitivity) };
      }
      const absent = cellColumns(settings).all.filter((c) => !data.header.includes(c));
      if (absent.length) {
        places.push(where);
        skipped.push({ table: table.id, column: model.label, skipped: `column${absent.length > 1 ? 's' : ''} ${absent.join(', ')} not in the data` });
        return;
      }
      const rows = cellRows(data, settings, model.label);
      try {
        jobs.push({ table, model, settings, prepared: prepareDml(rows.data, dmlSpec) });
        if (rows.note) rowNotes.set(table.id, [...(rowNotes.get(table.id) ?? []), rows.note]);
      } catch (err) {
        places.push(where);
        skipped.push({ table: table.id, column: model.label, skipped: errorMessage(err) });
      }
    });
  }
  const list = () => skipped.map((c, i) => `${places[i]}: ${c.skipped}`).join('\n  ');
  if (skipped.length && strict) throw new CgerError(`--strict: ${skipped.length} battery cell(s) cannot run:\n  ${list()}`);
  if (jobs.length === 0) throw new CgerError(`no battery cell can run on ${data.source}:\n  ${list()}`);
  return { jobs, skipped, rowNotes };
}

function reportSkipped(skipped: readonly SkippedCell[], quiet?: boolean): void {
  if (quiet) return;
  for (const c of skipped) process.stderr.write(`dml battery: skipped ${c.table} ${c.column}: ${c.skipped}\n`);
}

/** The sentences a table's note gains: cells not estimated, and cells run on fewer rows. */
function cellNotes(tableId: string, skipped: readonly SkippedCell[], rowNotes: Map<string, string[]>): string[] {
  const own = skipped.filter((c) => c.table === tableId);
  const notes = own.length ? [`Not estimated: ${own.map((c) => `${c.column} (${c.skipped})`).join('; ')}.`] : [];
  return [...notes, ...(rowNotes.get(tableId) ?? [])];
}

/**
 * The spec with another size for every forest and boosting run (--trees of `cger dml --battery`
 * and of the demo): the default of each learner with a `trees` parameter, and every table or
 * model that sets its own.
 */
export function withTrees(spec: BatterySpec, trees: number): BatterySpec {
  const sized = Object.values(LEARNERS)
    .filter((l) => 'trees' in l.params)
    .map((l) => l.name);
  const resize = (settings: ModelSettings | undefined): ModelSettings | undefined => {
    if (!settings) return settings;
    const lp = { ...settings.learner_params };
    for (const name of sized) lp[name] = { ...lp[name], trees };
    return { ...settings, learner_params: lp };
  };
  const keepOwn = (settings: ModelSettings | undefined): ModelSettings | undefined => {
    if (!settings?.learner_params) return settings;
    const lp = { ...settings.learner_params };
    for (const name of sized) if (lp[name]) lp[name] = { ...lp[name], trees };
    return { ...settings, learner_params: lp };
  };
  return {
    ...spec,
    defaults: resize(spec.defaults ?? {}),
    tables: spec.tables.map((t) => ({ ...t, defaults: keepOwn(t.defaults), models: t.models.map((m) => keepOwn(m) as ModelSpec) })),
  };
}
