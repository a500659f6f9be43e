import type { Highs, Model, ModelData } from 'highs';
import { CgerError } from '../common/errors.ts';

/**
 * Slacks-based measure (SBM) of efficiency with undesirable outputs (Tone 2004; Cooper, Seiford &
 * Tone 2007, ch. 13) and its super-efficiency variant (Tone 2002), constant returns to scale,
 * non-oriented, solved as linear programs after the Charnes-Cooper transformation (docs/design.md §6).
 *
 * Every slack is expressed relative to the evaluated DMU's own value (s_i / x_io), which makes
 * the LP coefficients unit-free ratios x_ij / x_io: better conditioned, same optimum.
 */

export interface SbmDmu {
  /** Label used in error messages, e.g. "Hebei 2013". */
  label: string;
  inputs: number[];
  good: number[];
  bad: number[];
}

export interface SbmScore {
  /** SBM efficiency rho in (0, 1]. */
  rho: number;
  /** Super-SBM score delta (>= 1) when rho = 1 within the tolerance, otherwise null. */
  superScore: number | null;
  /** The reported score: delta for efficient DMUs, rho for the others. */
  score: number;
}

export interface SbmOptions {
  /** rho >= 1 - efficientTol counts as efficient (default 1e-9). */
  efficientTol: number;
}

let highsPromise: Promise<Highs> | null = null;

/** Loads the HiGHS WebAssembly solver once per process. */
export function loadHighs(): Promise<Highs> {
  highsPromise ??= import('highs').then((m) => (m.default as unknown as () => Promise<Highs>)());
  return highsPromise;
}

// Presolve off and plain simplex: these LPs are tiny, and presolve costs more than it saves.
const SOLVER_OPTIONS = {
  output_flag: false,
  presolve: 'off',
  solver: 'simplex',
  primal_feasibility_tolerance: 1e-10,
  dual_feasibility_tolerance: 1e-10,
} as const;

/** One HiGHS model reused for a sequence of LPs (creating a model per LP is several times slower). */
export class LpSolver {
  private readonly model: Model;
  constructor(private readonly highs: Highs) {
    this.model = highs.createModel();
    this.model.options.set(SOLVER_OPTIONS);
  }
  dispose(): void {
    this.model.dispose();
  }
  get constants() {
    return this.highs.constants;
  }
  solve(data: ModelData): { status: number; x: number[] } {
    this.model.passModel(data);
    this.model.clearSolver();
    this.model.run();
    const status = this.model.getModelStatus();
    return { status, x: status === this.highs.constants.modelStatus.optimal ? Array.from(this.model.getSolution().colValue) : [] };
  }
}

export interface DenseLp {
  /** Minimise cost . x subject to lower <= A x <= upper, x >= 0 (upper bounds per column). */
  cost: number[];
  colUpper: number[];
  rows: { coef: number[]; lower: number; upper: number }[];
}

/** Solves one LP; any status but optimal is an error naming `what` (the model and the province-year). */
export function solveLp(solver: LpSolver, lp: DenseLp, what: string): number[] {
  const numCols = lp.cost.length;
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of lp.rows) {
    row.coef.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    });
    starts.push(indices.length);
  }
  const { status, x } = solver.solve({
    numCols,
    numRows: lp.rows.length,
    sense: solver.constants.objectiveSense.minimize,
    colCost: lp.cost,
    colLower: new Array(numCols).fill(0),
    colUpper: lp.colUpper,
    rowLower: lp.rows.map((r) => r.lower),
    rowUpper: lp.rows.map((r) => r.upper),
    matrix: { format: 'csr', numRows: lp.rows.length, numCols, starts, indices, values },
  });
  if (status !== solver.constants.modelStatus.optimal) {
    const name = Object.entries(solver.constants.modelStatus).find(([, code]) => code === status)?.[0] ?? String(status);
    throw new CgerError(`TFEE: the ${what} linear program is ${name} (HiGHS status ${status}); check its inputs and outputs`);
  }
  return x;
}

function checkPositive(dmus: readonly SbmDmu[], names: { inputs: string[]; good: string[]; bad: string[] }): void {
  const problems: string[] = [];
  for (const d of dmus) {
    for (const [kind, vals] of [
      ['inputs', d.inputs],
      ['good', d.good],
      ['bad', d.bad],
    ] as const) {
      vals.forEach((v, k) => {
        if (!(Number.isFinite(v) && v > 0)) problems.push(`${d.label}, column ${names[kind][k]}: ${v} (SBM data must be positive)`);
      });
    }
  }
  if (problems.length) throw new CgerError(`TFEE: ${problems.length} non-positive value(s): ${problems.join('; ')}`);
}

/**
 * SBM with undesirable outputs for DMU o against `ref` (which contains o), transformed:
 * min t - (1/m) sum_i a_i  s.t.  t + (1/(s1+s2)) (sum_r g_r + sum_r b_r) = 1,
 * sum_j L_j x_ij/x_io + a_i - t = 0,  sum_j L_j yg_rj/yg_ro - g_r - t = 0,
 * sum_j L_j yb_rj/yb_ro + b_r - t = 0;  all variables >= 0
 * where a_i = S-_i / x_io, g_r = Sg_r / yg_ro, b_r = Sb_r / yb_ro. The optimum is rho.
 */
export function sbmRho(solver: LpSolver, o: SbmDmu, ref: readonly SbmDmu[]): number {
  const m = o.inputs.length,
    s1 = o.good.length,
    s2 = o.bad.length,
    n = ref.length;
  // columns: t, L_1..L_n, a_1..a_m, g_1..g_s1, b_1..b_s2
  const nc = 1 + n + m + s1 + s2;
  const col = { t: 0, L: 1, a: 1 + n, g: 1 + n + m, b: 1 + n + m + s1 };
  const cost = new Array(nc).fill(0);
  cost[col.t] = 1;
  for (let i = 0; i < m; i++) cost[col.a + i] = -1 / m;
  const rows: DenseLp['rows'] = [];
  const norm = new Array(nc).fill(0);
  norm[col.t] = 1;
  for (let r = 0; r < s1; r++) norm[col.g + r] = 1 / (s1 + s2);
  for (let r = 0; r < s2; r++) norm[col.b + r] = 1 / (s1 + s2);
  rows.push({ coef: norm, lower: 1, upper: 1 });
  const block = (values: (d: SbmDmu) => number[], own: number[], slackCol: number, slackSign: number) => {
    own.forEach((v0, k) => {
      const coef = new Array(nc).fill(0);
      ref.forEach((d, j) => {
        coef[col.L + j] = values(d)[k] / v0;
      });
      coef[slackCol + k] = slackSign;
      coef[col.t] = -1;
      rows.push({ coef, lower: 0, upper: 0 });
    });
  };
  block((d) => d.inputs, o.inputs, col.a, 1);
  block((d) => d.good, o.good, col.g, -1);
  block((d) => d.bad, o.bad, col.b, 1);
  const x = solveLp(solver, { cost, colUpper: new Array(nc).fill(Infinity), rows }, `SBM (${o.label})`);
  return x.reduce((acc, v, j) => acc + v * cost[j], 0);
}

/**
 * Super-SBM with undesirable outputs for an SBM-efficient DMU o against `ref` (o excluded):
 * min t + (1/m) sum_i p_i  s.t.  t - (1/(s1+s2)) (sum_r q_r + sum_r u_r) = 1,
 * sum_j L_j x_ij/x_io - p_i - t <= 0,  sum_j L_j yg_rj/yg_ro + q_r - t >= 0,
 * sum_j L_j yb_rj/yb_ro - u_r - t <= 0,  q_r - t <= 0 (good output cannot fall below zero);
 * p, q, u: input increases, good-output decreases, bad-output increases relative to o's values.
 * The optimum is delta = (1 + (1/m) sum p) / (1 - (1/(s1+s2)) (sum q + sum u)).
 */
export function superSbmDelta(solver: LpSolver, o: SbmDmu, ref: readonly SbmDmu[]): number {
  const m = o.inputs.length,
    s1 = o.good.length,
    s2 = o.bad.length,
    n = ref.length;
  const nc = 1 + n + m + s1 + s2;
  const col = { t: 0, L: 1, p: 1 + n, q: 1 + n + m, u: 1 + n + m + s1 };
  const cost = new Array(nc).fill(0);
  cost[col.t] = 1;
  for (let i = 0; i < m; i++) cost[col.p + i] = 1 / m;
  const rows: DenseLp['rows'] = [];
  const norm = new Array(nc).fill(0);
  norm[col.t] = 1;
  for (let r = 0; r < s1; r++) norm[col.q + r] = -1 / (s1 + s2);
  for (let r = 0; r < s2; r++) norm[col.u + r] = -1 / (s1 + s2);
  rows.push({ coef: norm, lower: 1, upper: 1 });
  const block = (values: (d: SbmDmu) => number[], own: number[], slackCol: number, slackSign: number, lower: number, upper: number) => {
    own.forEach((v0, k) => {
      const coef = new Array(nc).fill(0);
      ref.forEach((d, j) => {
        coef[col.L + j] = values(d)[k] / v0;
      });
      coef[slackCol + k] = slackSign;
      coef[col.t] = -1;
      rows.push({ coef, lower, upper });
    });
  };
  block((d) => d.inputs, o.inputs, col.p, -1, -Infinity, 0);
  block((d) => d.good, o.good, col.q, 1, 0, Infinity);
  block((d) => d.bad, o.bad, col.u, -1, -Infinity, 0);
  for (let r = 0; r < s1; r++) {
    const coef = new Array(nc).fill(0);
    coef[col.q + r] = 1;
    coef[col.t] = -1;
    rows.push({ coef, lower: -Infinity, upper: 0 });
  }
  const x = solveLp(solver, { cost, colUpper: new Array(nc).fill(Infinity), rows }, `super-SBM (${o.label})`);
  return x.reduce((acc, v, j) => acc + v * cost[j], 0);
}

/**
 * Scores every DMU of one frontier: SBM rho, and for DMUs with rho = 1 (within the tolerance)
 * the super-SBM delta against the frontier without them.
 */
export function scoreFrontier(
  highs: Highs,
  dmus: readonly SbmDmu[],
  names: { inputs: string[]; good: string[]; bad: string[] },
  options: SbmOptions,
): SbmScore[] {
  checkPositive(dmus, names);
  if (dmus.length < 2) {
    throw new CgerError(
      `TFEE: a frontier needs at least 2 DMUs (got ${dmus.length}: ${dmus.map((d) => d.label).join(', ') || 'none'}); widen the sample or use the pooled frontier`,
    );
  }
  const solver = new LpSolver(highs);
  try {
    return dmus.map((o, idx) => {
      const rho = Math.min(1, sbmRho(solver, o, dmus));
      if (rho < 1 - options.efficientTol) return { rho, superScore: null, score: rho };
      const delta = Math.max(
        1,
        superSbmDelta(
          solver,
          o,
          dmus.filter((_, j) => j !== idx),
        ),
      );
      return { rho, superScore: delta, score: delta };
    });
  } finally {
    solver.dispose();
  }
}
