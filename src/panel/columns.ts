/**
 * The canonical yearbook columns: unit, the yearbook item each comes from, and what values are
 * possible. docs/yearbook.md and templates/yearbook.template.csv follow this list.
 */
export type ValueRule = 'positive' | 'nonnegative' | 'any';

export interface YearbookColumn {
  name: string;
  unit: string;
  /** Yearbook item (Chinese) and English description. */
  item: string;
  rule: ValueRule;
  /** Largest possible value, when there is a natural one. */
  max?: number;
}

export const BASE_COLUMNS: readonly YearbookColumn[] = [
  { name: 'gdp', unit: '100 million yuan', item: '地区生产总值 gross regional product', rule: 'positive' },
  { name: 'gdp_primary', unit: '100 million yuan', item: '第一产业增加值 value added, primary industry', rule: 'nonnegative' },
  { name: 'gdp_secondary', unit: '100 million yuan', item: '第二产业增加值 value added, secondary industry', rule: 'positive' },
  { name: 'gdp_tertiary', unit: '100 million yuan', item: '第三产业增加值 value added, tertiary industry', rule: 'positive' },
  { name: 'pop', unit: '10k persons', item: '年末常住人口 year-end resident population', rule: 'positive' },
  { name: 'life_expectancy', unit: 'years', item: '人口平均预期寿命 life expectancy at birth', rule: 'positive', max: 120 },
  { name: 'green_area_per_capita', unit: 'm2 per person', item: '人均公园绿地面积 public green area per capita (urban)', rule: 'nonnegative' },
  { name: 'college_students', unit: 'persons', item: '普通高等学校在校学生数 students enrolled in regular higher education', rule: 'positive' },
  { name: 'edu_expenditure', unit: '10k yuan', item: '地方一般公共预算支出:教育 local general public budget expenditure on education', rule: 'positive' },
  { name: 'employment', unit: '10k persons', item: '就业人员数 employed persons (year end)', rule: 'positive' },
  { name: 'wastewater', unit: '10k tonnes', item: '工业废水排放量 industrial wastewater discharged', rule: 'nonnegative' },
  { name: 'so2', unit: 'tonnes', item: '工业二氧化硫排放量 industrial SO2 emissions', rule: 'nonnegative' },
  { name: 'nox', unit: 'tonnes', item: '工业氮氧化物排放量 industrial NOx emissions', rule: 'nonnegative' },
  { name: 'dust', unit: 'tonnes', item: '工业烟(粉)尘排放量 industrial smoke and dust emissions', rule: 'nonnegative' },
  {
    name: 'telegraph_1907',
    unit: 'offices',
    item: '1907年电报局数量 telegraph offices in 1907 (historical statistics of the 邮传部 Ministry of Posts and Communications), constant per province',
    rule: 'nonnegative',
  },
  {
    name: 'env_reg',
    unit: 'share of words',
    item: '政府工作报告环保词频 frequency of environment-related words in the provincial government work report',
    rule: 'nonnegative',
    max: 1,
  },
];

/** Capital: a ready capital stock, or gross fixed capital formation for the perpetual inventory. */
export const CAPITAL_COLUMNS: readonly YearbookColumn[] = [
  { name: 'capital_stock', unit: '100 million yuan (constant prices)', item: '资本存量 capital stock (e.g. from a published series)', rule: 'positive' },
  {
    name: 'investment',
    unit: '100 million yuan (constant prices)',
    item: '固定资本形成总额 gross fixed capital formation, deflated (from 2000 on)',
    rule: 'nonnegative',
  },
];

/** Energy: total consumption, or the eight fuels of the energy balance converted with GB/T 2589 coefficients. */
export const ENERGY_COLUMNS: readonly YearbookColumn[] = [
  { name: 'energy_total', unit: '10k tce', item: '能源消费总量 total energy consumption', rule: 'positive' },
  { name: 'coal_raw', unit: '10k tonnes', item: '原煤 raw coal (地区能源平衡表 regional energy balance, final consumption)', rule: 'nonnegative' },
  { name: 'coke', unit: '10k tonnes', item: '焦炭 coke', rule: 'nonnegative' },
  { name: 'crude_oil', unit: '10k tonnes', item: '原油 crude oil', rule: 'nonnegative' },
  { name: 'gasoline', unit: '10k tonnes', item: '汽油 gasoline', rule: 'nonnegative' },
  { name: 'kerosene', unit: '10k tonnes', item: '煤油 kerosene', rule: 'nonnegative' },
  { name: 'diesel', unit: '10k tonnes', item: '柴油 diesel oil', rule: 'nonnegative' },
  { name: 'fuel_oil', unit: '10k tonnes', item: '燃料油 fuel oil', rule: 'nonnegative' },
  { name: 'natural_gas', unit: '100 million m3', item: '天然气 natural gas', rule: 'nonnegative' },
];

/** The default DCP indicators of panel.config.json (users may replace them). */
export const DEFAULT_DCP_COLUMNS: readonly YearbookColumn[] = [
  { name: 'software_revenue', unit: '100 million yuan', item: '软件业务收入 software business revenue', rule: 'nonnegative' },
  {
    name: 'electronics_revenue',
    unit: '100 million yuan',
    item: '电子信息制造业营业收入 revenue of electronic information manufacturing',
    rule: 'nonnegative',
  },
  { name: 'it_patents', unit: 'patents', item: '信息技术领域发明专利授权数 invention patents granted in information technology', rule: 'nonnegative' },
  { name: 'datacenter_racks', unit: '10k racks', item: '数据中心机架数 data-centre racks in use', rule: 'nonnegative' },
  { name: 'broadband_ports', unit: '10k ports', item: '互联网宽带接入端口 internet broadband access ports', rule: 'nonnegative' },
  { name: 'optical_cable_km', unit: 'km', item: '光缆线路长度 length of optical cable lines', rule: 'nonnegative' },
  { name: 'mobile_base_stations', unit: '10k stations', item: '移动电话基站数 mobile phone base stations', rule: 'nonnegative' },
  { name: 'digital_finance_index', unit: 'index', item: '北京大学数字普惠金融指数 Peking University digital inclusive finance index', rule: 'nonnegative' },
  { name: 'ecommerce_sales', unit: '100 million yuan', item: '电子商务销售额 e-commerce sales', rule: 'nonnegative' },
  {
    name: 'ecommerce_firm_share',
    unit: 'percent',
    item: '有电子商务交易活动的企业比重 share of enterprises with e-commerce transactions',
    rule: 'nonnegative',
    max: 100,
  },
];

const CATALOGUE = new Map([...BASE_COLUMNS, ...CAPITAL_COLUMNS, ...ENERGY_COLUMNS, ...DEFAULT_DCP_COLUMNS].map((c) => [c.name, c]));

/** The catalogue entry of a column; user-defined indicator columns accept any real value. */
export function columnSpec(name: string): YearbookColumn {
  return CATALOGUE.get(name) ?? { name, unit: 'as supplied', item: 'user-defined column', rule: 'any' };
}
