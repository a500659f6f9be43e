import { readFileSync } from 'node:fs';
import { CgerError, errorMessage } from '../common/errors.ts';
import { unitFactor } from './units.ts';

/**
 * Portal indicator names -> yearbook columns (docs/yearbook.md) and the unit each column is kept
 * in. Several names may lead to one column (the portal renamed some indicators over the years).
 */
export interface IndicatorTarget {
  column: string;
  unit: string;
}

export const PORTAL_INDICATORS: Record<string, IndicatorTarget> = {
  地区生产总值: { column: 'gdp', unit: '亿元' },
  第一产业增加值: { column: 'gdp_primary', unit: '亿元' },
  第二产业增加值: { column: 'gdp_secondary', unit: '亿元' },
  第三产业增加值: { column: 'gdp_tertiary', unit: '亿元' },
  年末常住人口: { column: 'pop', unit: '万人' },
  就业人员: { column: 'employment', unit: '万人' },
  就业人员数: { column: 'employment', unit: '万人' },
  普通高等学校在校学生数: { column: 'college_students', unit: '人' },
  普通高等学校在校学生: { column: 'college_students', unit: '人' },
  地方财政教育支出: { column: 'edu_expenditure', unit: '万元' },
  '地方财政一般预算支出:教育': { column: 'edu_expenditure', unit: '万元' },
  人均公园绿地面积: { column: 'green_area_per_capita', unit: '平方米' },
  人口平均预期寿命: { column: 'life_expectancy', unit: '岁' },
  工业废水排放量: { column: 'wastewater', unit: '万吨' },
  工业二氧化硫排放量: { column: 'so2', unit: '吨' },
  二氧化硫排放量: { column: 'so2', unit: '吨' },
  工业氮氧化物排放量: { column: 'nox', unit: '吨' },
  氮氧化物排放量: { column: 'nox', unit: '吨' },
  '工业烟(粉)尘排放量': { column: 'dust', unit: '吨' },
  '烟(粉)尘排放量': { column: 'dust', unit: '吨' },
  能源消费总量: { column: 'energy_total', unit: '万吨标准煤' },
  固定资本形成总额: { column: 'investment', unit: '亿元' },
  软件业务收入: { column: 'software_revenue', unit: '亿元' },
  互联网宽带接入端口: { column: 'broadband_ports', unit: '万个' },
  互联网宽带接入端口数: { column: 'broadband_ports', unit: '万个' },
  光缆线路长度: { column: 'optical_cable_km', unit: '公里' },
  移动电话基站: { column: 'mobile_base_stations', unit: '万个' },
  移动电话基站数: { column: 'mobile_base_stations', unit: '万个' },
  电子商务销售额: { column: 'ecommerce_sales', unit: '亿元' },
  有电子商务交易活动的企业比重: { column: 'ecommerce_firm_share', unit: '%' },
};

/** How one indicator becomes a column: multiply by `factor`. */
export interface IndicatorMapping {
  column: string;
  factor: number;
}

/** A user's --map file: indicator name -> {column, factor}; factor defaults to 1. */
export type UserMap = Map<string, IndicatorMapping>;

/** NFKC (full-width brackets and colons to ASCII), no spaces: how indicator names are compared. */
export function indicatorKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '');
}

const BUILT_IN = new Map(Object.entries(PORTAL_INDICATORS).map(([k, v]) => [indicatorKey(k), v]));

export function readUserMap(path: string): UserMap {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CgerError(`cannot read --map ${path}: ${errorMessage(err)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CgerError(`--map ${path}: expected an object {"indicator": {"column": "...", "factor": 1}}`);
  const map: UserMap = new Map();
  for (const [name, entry] of Object.entries(raw)) {
    const e = entry as { column?: unknown; factor?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.column !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.column)) {
      throw new CgerError(`--map ${path}: "${name}" needs a "column" (a column name such as gdp)`);
    }
    if (e.factor !== undefined && !(typeof e.factor === 'number' && Number.isFinite(e.factor) && e.factor > 0)) {
      throw new CgerError(`--map ${path}: "${name}".factor must be a positive number`);
    }
    map.set(indicatorKey(name), { column: e.column, factor: (e.factor as number | undefined) ?? 1 });
  }
  return map;
}

/** Splits "地区生产总值(亿元)" into name and unit (the last bracket); the unit may be absent. */
export function splitIndicator(label: string): { name: string; unit: string | null } {
  const t = indicatorKey(label);
  const m = /^(.*)\(([^()]*)\)$/.exec(t);
  return m ? { name: m[1], unit: m[2] } : { name: t, unit: null };
}

/** The column and factor of a portal indicator label, by --map first, then the built-in table. */
export function mapIndicator(label: string, user: UserMap, where: string): IndicatorMapping {
  const { name, unit } = splitIndicator(label);
  const own = user.get(indicatorKey(label)) ?? user.get(name);
  if (own) return own;
  const target = BUILT_IN.get(name);
  if (!target) {
    throw new CgerError(
      `${where}: indicator "${name}" is not mapped to a yearbook column; add it with --map (JSON: {"${name}": {"column": "...", "factor": 1}})`,
    );
  }
  if (unit === null) throw new CgerError(`${where}: indicator "${name}" has no unit in brackets; expected e.g. "${name}(${target.unit})"`);
  return { column: target.column, factor: unitFactor(unit, target.unit, `${where}, indicator "${name}"`) };
}
