import { CgerError } from '../common/errors.ts';

/**
 * Units as the statistics portal writes them in brackets, each a scale within a dimension; a value
 * converts between two units of one dimension by the ratio of their scales (万元 -> 亿元: 1e4 / 1e8).
 */
interface Unit {
  dimension: string;
  scale: number;
}

const UNITS: Record<string, Unit> = {
  元: { dimension: 'money', scale: 1 },
  万元: { dimension: 'money', scale: 1e4 },
  亿元: { dimension: 'money', scale: 1e8 },
  人: { dimension: 'persons', scale: 1 },
  万人: { dimension: 'persons', scale: 1e4 },
  个: { dimension: 'count', scale: 1 },
  万个: { dimension: 'count', scale: 1e4 },
  件: { dimension: 'count', scale: 1 },
  项: { dimension: 'count', scale: 1 },
  万件: { dimension: 'count', scale: 1e4 },
  万户: { dimension: 'count', scale: 1e4 },
  个数: { dimension: 'count', scale: 1 },
  处: { dimension: 'count', scale: 1 },
  公里: { dimension: 'length', scale: 1 },
  千米: { dimension: 'length', scale: 1 },
  万公里: { dimension: 'length', scale: 1e4 },
  吨: { dimension: 'mass', scale: 1 },
  万吨: { dimension: 'mass', scale: 1e4 },
  吨标准煤: { dimension: 'tce', scale: 1 },
  万吨标准煤: { dimension: 'tce', scale: 1e4 },
  立方米: { dimension: 'volume', scale: 1 },
  万立方米: { dimension: 'volume', scale: 1e4 },
  亿立方米: { dimension: 'volume', scale: 1e8 },
  平方米: { dimension: 'area', scale: 1 },
  岁: { dimension: 'years', scale: 1 },
  '%': { dimension: 'percent', scale: 1 },
  指数: { dimension: 'index', scale: 1 },
};

export const KNOWN_UNITS = Object.keys(UNITS);

/** The factor that converts a value in `from` to `to`; an unknown unit or another dimension is an error naming `where`. */
export function unitFactor(from: string, to: string, where: string): number {
  const a = UNITS[from],
    b = UNITS[to];
  if (!a) throw new CgerError(`${where}: unknown unit "${from}" (known: ${KNOWN_UNITS.join(', ')}; or give a factor with --map)`);
  if (!b) throw new CgerError(`${where}: unknown target unit "${to}"`);
  if (a.dimension !== b.dimension) throw new CgerError(`${where}: unit "${from}" cannot be converted to "${to}"`);
  return a.scale / b.scale;
}

/** Applies a unit factor, rounding to 12 significant digits so that 1.2345 x 1e4 does not end in ...0000002. */
export function convert(value: number, factor: number): number {
  return factor === 1 ? value : Number((value * factor).toPrecision(12));
}
