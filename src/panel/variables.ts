/**
 * Formulas of the study's variables (docs/design.md §6) with their units. Yearbook units:
 * gdp in 100 million yuan, pop in 10k persons, co2 in tonnes CO2.
 */

/** CEE = GDP / CO2, in 10k yuan per tonne CO2: gdp [1e8 yuan] x 1e4 / co2 [t]. */
export function cee(gdp: number, co2t: number): number {
  return (gdp * 1e4) / co2t;
}

/** CIWB = (CO2 / population) / life expectancy x 100: tonnes CO2 per person, per year of life expectancy, x 100. */
export function ciwb(co2t: number, pop: number, lifeExpectancy: number): number {
  return (co2t / (pop * 1e4) / lifeExpectancy) * 100;
}

/** ISU = 1 X1 + 2 X2 + 3 X3 with Xk the primary, secondary and tertiary shares of GDP. */
export function isu(gdp: number, primary: number, secondary: number, tertiary: number): number {
  return (primary + 2 * secondary + 3 * tertiary) / gdp;
}

export interface Controls {
  lngdp: number;
  lnpop: number;
  green: number;
  human: number;
  ind: number;
  edu: number;
}

/** The six controls of the study. */
export function controls(r: Record<string, number>): Controls {
  return {
    lngdp: Math.log(r.gdp),
    lnpop: Math.log(r.pop),
    green: r.green_area_per_capita,
    human: Math.log(r.college_students),
    ind: r.gdp_tertiary / r.gdp_secondary,
    edu: Math.log(r.edu_expenditure),
  };
}

/** Median (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const UNITS: Record<string, string> = {
  co2_t: 'tonnes CO2 per year',
  CEE: '10k yuan GDP per tonne CO2 (gdp [100 million yuan] x 1e4 / co2_t)',
  CIWB: 'tonnes CO2 per person per year of life expectancy, x 100 ((co2_t / (pop x 1e4)) / life_expectancy x 100)',
  DCP: 'entropy-weight index in [0, 1]',
  DCP_pca: 'first principal component rescaled to [0, 1]',
  TFEE: 'super-SBM efficiency score (< 1 inefficient, >= 1 efficient)',
  ISU: 'index in [1, 3]',
  lngdp: 'ln(gdp in 100 million yuan)',
  lnpop: 'ln(year-end population in 10k persons)',
  green: 'm2 public green area per capita',
  human: 'ln(college students, persons)',
  ind: 'tertiary / secondary value added (ratio)',
  edu: 'ln(education expenditure in 10k yuan)',
  env_reg: 'share of environment-related words in the government work report',
  env_reg_high: '1 if env_reg > pooled sample median, else 0',
  iv: 'telegraph offices in 1907 x DCP of the previous year',
  capital_stock: '100 million yuan (constant prices)',
  energy_total: '10k tonnes of standard coal equivalent',
};
