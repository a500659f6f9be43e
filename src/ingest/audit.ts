/** Zones + outside must equal the grid total within this relative difference, or the month fails. */
export const MASS_AUDIT_TOLERANCE = 1e-9;

/** Checks that a month's mass is conserved: what the zones got plus what lies outside them is the grid's total. */
export function massAudit(zoneSums: number[], outside: number, gridTotal: number) {
  let zonesTotal = 0;
  for (const s of zoneSums) zonesTotal += s;
  const diff = Math.abs(zonesTotal + outside - gridTotal);
  const relError = gridTotal !== 0 ? diff / Math.abs(gridTotal) : diff;
  return { gridTotal, zonesTotal, outside, relError };
}
