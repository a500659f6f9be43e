/**
 * Linear interpolation of small gaps in one province's series (never across provinces), and
 * optional linear extrapolation beyond the observed years.
 */
export interface FilledValue {
  year: number;
  value: number;
  method: 'interpolated' | 'extrapolated';
}

export interface GapResult {
  values: Map<number, number>;
  filled: FilledValue[];
  /** Years that stay missing, with the reason. */
  unfilled: { year: number; reason: string }[];
}

/**
 * Fills the years from..to of a series given as year -> value (null or absent = missing).
 * A run of missing years between two observed ones is interpolated when it is at most
 * `maxGap` long; years before the first or after the last observation are extrapolated from
 * the two nearest observations only when `extrapolate` is set.
 */
export function fillSeries(observed: ReadonlyMap<number, number | null>, from: number, to: number, maxGap: number, extrapolate: boolean): GapResult {
  const years = [...observed.entries()]
    .filter(([, v]) => v !== null)
    .map(([y]) => y)
    .sort((a, b) => a - b);
  const values = new Map<number, number>();
  const filled: FilledValue[] = [];
  const unfilled: GapResult['unfilled'] = [];
  const at = (y: number) => observed.get(y) as number;
  for (let y = from; y <= to; y++) {
    const v = observed.get(y);
    if (v !== null && v !== undefined) {
      values.set(y, v);
      continue;
    }
    if (years.length === 0) {
      unfilled.push({ year: y, reason: 'no observed value in any year' });
      continue;
    }
    const prev = years.filter((o) => o < y).pop();
    const next = years.find((o) => o > y);
    if (prev !== undefined && next !== undefined) {
      const gap = next - prev - 1;
      if (gap > maxGap) {
        unfilled.push({ year: y, reason: `gap of ${gap} years (${prev + 1}-${next - 1}) is longer than gaps.max_consecutive = ${maxGap}` });
        continue;
      }
      const value = at(prev) + ((at(next) - at(prev)) * (y - prev)) / (next - prev);
      values.set(y, value);
      filled.push({ year: y, value, method: 'interpolated' });
      continue;
    }
    if (!extrapolate) {
      unfilled.push({ year: y, reason: `outside the observed years ${years[0]}-${years[years.length - 1]} (use --extrapolate to extend)` });
      continue;
    }
    // Extrapolate along the line through the two nearest observations (a constant if only one).
    const side = prev === undefined ? years.slice(0, 2) : years.slice(-2);
    const value = side.length === 1 ? at(side[0]) : at(side[0]) + ((at(side[1]) - at(side[0])) * (y - side[0])) / (side[1] - side[0]);
    values.set(y, value);
    filled.push({ year: y, value, method: 'extrapolated' });
  }
  return { values, filled, unfilled };
}
