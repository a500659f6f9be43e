import { provinceName } from '../common/provinces.ts';
import type { PanelConfig } from './config.ts';
import type { Problems } from './problems.ts';
import type { ObservedRow } from './yearbookRows.ts';

/** year -> column -> value of one province over the sample years. */
export type ProvinceYears = Map<number, Record<string, number>>;

/** Telegraph offices in 1907: one cross-sectional value per province, repeated on every row. */
export function deriveTelegraph(code: string, rows: Map<number, ObservedRow>, perYear: ProvinceYears, problems: Problems): void {
  const tele = [...rows.values()].map((r) => ({ line: r.line, v: r.values.telegraph_1907 })).filter((r) => r.v !== null && r.v !== undefined);
  const distinct = [...new Set(tele.map((t) => t.v))];
  const label = `${provinceName(code)} (${code})`;
  if (tele.length === 0) problems.add(`${label}, column telegraph_1907: no value in any row`);
  else if (distinct.length > 1)
    problems.add(`${label}, column telegraph_1907: differs between rows (lines ${tele.map((t) => `${t.line}=${t.v}`).join(', ')}); it is a 1907 cross-section`);
  else for (const rec of perYear.values()) rec.telegraph_1907 = distinct[0] as number;
}

/** Capital stock by perpetual inventory from the base year's investment (filled series given). */
export function deriveCapital(code: string, investment: Map<number, number>, perYear: ProvinceYears, config: PanelConfig, problems: Problems): void {
  const { baseYear, depreciation, initialGrowthYears } = config.capital;
  const { yearFrom, yearTo } = config.sample;
  if (investment.size !== yearTo - baseYear + 1) return;
  const k = perpetualInventory(investment, baseYear, yearTo, depreciation, initialGrowthYears);
  if (!k.ok) {
    problems.add(`${provinceName(code)} (${code}), column investment: ${k.message}`);
    return;
  }
  for (let y = yearFrom; y <= yearTo; y++) {
    perYear.get(y)!.capital_stock = k.stock.get(y)!;
    perYear.get(y)!.investment = investment.get(y)!;
  }
}

/** Total energy in 10k tce: the fuels times their standard-coal coefficients. */
export function deriveEnergy(perYear: ProvinceYears, fuels: readonly string[], coefficients: Record<string, number>): void {
  for (const rec of perYear.values()) rec.energy_total = fuels.reduce((acc, f) => acc + (rec[f] ?? NaN) * coefficients[f], 0);
}

/** GDP components should add up to GDP within the configured tolerance. */
export function checkGdpComponents(code: string, rows: Map<number, ObservedRow>, perYear: ProvinceYears, tolerance: number, problems: Problems): void {
  for (const [y, rec] of perYear) {
    const sum = rec.gdp_primary + rec.gdp_secondary + rec.gdp_tertiary;
    if (Number.isFinite(sum) && rec.gdp > 0 && Math.abs(sum / rec.gdp - 1) > tolerance) {
      const r = rows.get(y);
      problems.add(
        `${r ? `line ${r.line}` : code} (${provinceName(code)} ${y}), columns gdp_primary+gdp_secondary+gdp_tertiary: sum ${sum} differs from gdp ${rec.gdp} by ${(100 * (sum / rec.gdp - 1)).toFixed(1)}% (tolerance ${100 * tolerance}%)`,
      );
    }
  }
}

/**
 * Perpetual inventory: K_base = I_base / (g + d), K_t = (1 - d) K_(t-1) + I_t, where g is the
 * geometric mean annual growth of investment over the first `growthYears` years (Hall & Jones 1999;
 * Young 2003 use this starting stock).
 */
export function perpetualInventory(
  investment: ReadonlyMap<number, number>,
  baseYear: number,
  lastYear: number,
  depreciation: number,
  growthYears: number,
): { ok: true; stock: Map<number, number>; growth: number } | { ok: false; message: string } {
  const endYear = Math.min(baseYear + growthYears, lastYear);
  const i0 = investment.get(baseYear)!,
    i1 = investment.get(endYear)!;
  if (!(i0 > 0) || !(i1 > 0)) return { ok: false, message: `investment in ${baseYear} and ${endYear} must be positive to start the perpetual inventory` };
  const growth = endYear > baseYear ? (i1 / i0) ** (1 / (endYear - baseYear)) - 1 : 0;
  if (!(growth + depreciation > 0.01)) {
    return {
      ok: false,
      message: `investment growth ${baseYear}-${endYear} (${(100 * growth).toFixed(1)}%/yr) plus depreciation is below 1%: the starting stock I/(g+d) would be meaningless`,
    };
  }
  const stock = new Map<number, number>();
  let k = i0 / (growth + depreciation);
  stock.set(baseYear, k);
  for (let y = baseYear + 1; y <= lastYear; y++) {
    k = (1 - depreciation) * k + investment.get(y)!;
    stock.set(y, k);
  }
  return { ok: true, stock, growth };
}
