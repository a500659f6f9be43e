import type { PanelConfig } from './config.ts';
import type { YearbookData } from './yearbook.ts';

/**
 * The panel's derived variables and the yearbook columns each needs (capital_stock and
 * energy_total count as present when they could be derived). A variable whose inputs are not all
 * in the yearbook is left out of panel.csv and named, with what is missing, in panel_meta.json.
 */
export interface DerivedVariable {
  name: string;
  inputs(config: PanelConfig): string[];
}

const fixed =
  (...cols: string[]) =>
  () =>
    cols;
const indicators = (c: PanelConfig) => c.dcp.indicators.map((i) => i.column);

export const DERIVED_VARIABLES: readonly DerivedVariable[] = [
  { name: 'CEE', inputs: fixed('gdp') },
  { name: 'CIWB', inputs: fixed('pop', 'life_expectancy') },
  { name: 'DCP', inputs: indicators },
  { name: 'DCP_pca', inputs: indicators },
  { name: 'TFEE', inputs: (c) => [...c.tfee.inputs, ...c.tfee.good, ...c.tfee.bad] },
  { name: 'ISU', inputs: fixed('gdp', 'gdp_primary', 'gdp_secondary', 'gdp_tertiary') },
  { name: 'lngdp', inputs: fixed('gdp') },
  { name: 'lnpop', inputs: fixed('pop') },
  { name: 'green', inputs: fixed('green_area_per_capita') },
  { name: 'human', inputs: fixed('college_students') },
  { name: 'ind', inputs: fixed('gdp_tertiary', 'gdp_secondary') },
  { name: 'edu', inputs: fixed('edu_expenditure') },
  { name: 'env_reg', inputs: fixed('env_reg') },
  { name: 'env_reg_high', inputs: fixed('env_reg') },
  { name: 'iv', inputs: (c) => ['telegraph_1907', ...indicators(c)] },
];

export interface OmittedVariable {
  variable: string;
  missing_inputs: string[];
}

export interface VariablePlan {
  built: Set<string>;
  omitted: OmittedVariable[];
}

/** Which derived variables the yearbook allows. */
export function planVariables(yb: Pick<YearbookData, 'columns' | 'absent'>, config: PanelConfig): VariablePlan {
  const built = new Set<string>();
  const omitted: OmittedVariable[] = [];
  for (const v of DERIVED_VARIABLES) {
    const missing = [
      ...new Set(
        v
          .inputs(config)
          .filter((c) => !yb.columns.has(c))
          .map((c) => yb.absent.get(c) ?? c),
      ),
    ];
    if (missing.length) omitted.push({ variable: v.name, missing_inputs: missing });
    else built.add(v.name);
  }
  return { built, omitted };
}

/** The one stderr line naming the variables left out. */
export function omittedWarning(omitted: readonly OmittedVariable[]): string | null {
  if (omitted.length === 0) return null;
  return `not built for lack of inputs: ${omitted.map((o) => `${o.variable} (missing ${o.missing_inputs.join(', ')})`).join('; ')}`;
}
