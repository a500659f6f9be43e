/**
 * The one table of China's province-level units (GB/T 2260 codes) with their three-region and
 * coastal labels, a normaliser for the many ways yearbooks spell their names, and the one spelling
 * written to output tables (`provinceName`).
 */
export type Region = 'east' | 'central' | 'west';

export interface Province {
  code: string;
  /** Short Chinese name, e.g. 北京. */
  zh: string;
  /** English name, e.g. Beijing. */
  en: string;
  region: Region | null;
  coastal: boolean;
  /** Further accepted spellings: full Chinese names, pinyin variants, GB/T 2260 letter codes. */
  aliases: string[];
}

export const PROVINCES: readonly Province[] = [
  { code: '110000', zh: '北京', en: 'Beijing', region: 'east', coastal: false, aliases: ['北京市', 'BJ', 'Peking'] },
  { code: '120000', zh: '天津', en: 'Tianjin', region: 'east', coastal: true, aliases: ['天津市', 'TJ'] },
  { code: '130000', zh: '河北', en: 'Hebei', region: 'east', coastal: true, aliases: ['河北省', 'HE'] },
  { code: '140000', zh: '山西', en: 'Shanxi', region: 'central', coastal: false, aliases: ['山西省', 'SX'] },
  {
    code: '150000',
    zh: '内蒙古',
    en: 'Inner Mongolia',
    region: 'west',
    coastal: false,
    aliases: ['内蒙古自治区', 'Nei Mongol', 'Neimenggu', 'Nei Menggu', 'Inner Mongolia Autonomous Region', 'NM'],
  },
  { code: '210000', zh: '辽宁', en: 'Liaoning', region: 'east', coastal: true, aliases: ['辽宁省', 'LN'] },
  { code: '220000', zh: '吉林', en: 'Jilin', region: 'central', coastal: false, aliases: ['吉林省', 'JL'] },
  { code: '230000', zh: '黑龙江', en: 'Heilongjiang', region: 'central', coastal: false, aliases: ['黑龙江省', 'HL'] },
  { code: '310000', zh: '上海', en: 'Shanghai', region: 'east', coastal: true, aliases: ['上海市', 'SH'] },
  { code: '320000', zh: '江苏', en: 'Jiangsu', region: 'east', coastal: true, aliases: ['江苏省', 'JS'] },
  { code: '330000', zh: '浙江', en: 'Zhejiang', region: 'east', coastal: true, aliases: ['浙江省', 'ZJ'] },
  { code: '340000', zh: '安徽', en: 'Anhui', region: 'central', coastal: false, aliases: ['安徽省', 'AH'] },
  { code: '350000', zh: '福建', en: 'Fujian', region: 'east', coastal: true, aliases: ['福建省', 'FJ'] },
  { code: '360000', zh: '江西', en: 'Jiangxi', region: 'central', coastal: false, aliases: ['江西省', 'JX'] },
  { code: '370000', zh: '山东', en: 'Shandong', region: 'east', coastal: true, aliases: ['山东省', 'SD'] },
  { code: '410000', zh: '河南', en: 'Henan', region: 'central', coastal: false, aliases: ['河南省', 'HA'] },
  { code: '420000', zh: '湖北', en: 'Hubei', region: 'central', coastal: false, aliases: ['湖北省', 'HB'] },
  { code: '430000', zh: '湖南', en: 'Hunan', region: 'central', coastal: false, aliases: ['湖南省', 'HN'] },
  { code: '440000', zh: '广东', en: 'Guangdong', region: 'east', coastal: true, aliases: ['广东省', 'GD'] },
  {
    code: '450000',
    zh: '广西',
    en: 'Guangxi',
    region: 'west',
    coastal: true,
    aliases: ['广西壮族自治区', '广西自治区', 'Guangxi Zhuang', 'Guangxi Zhuang Autonomous Region', 'GX'],
  },
  { code: '460000', zh: '海南', en: 'Hainan', region: 'east', coastal: true, aliases: ['海南省', 'HI'] },
  { code: '500000', zh: '重庆', en: 'Chongqing', region: 'west', coastal: false, aliases: ['重庆市', 'CQ'] },
  { code: '510000', zh: '四川', en: 'Sichuan', region: 'west', coastal: false, aliases: ['四川省', 'SC'] },
  { code: '520000', zh: '贵州', en: 'Guizhou', region: 'west', coastal: false, aliases: ['贵州省', 'GZ'] },
  { code: '530000', zh: '云南', en: 'Yunnan', region: 'west', coastal: false, aliases: ['云南省', 'YN'] },
  { code: '540000', zh: '西藏', en: 'Tibet', region: 'west', coastal: false, aliases: ['西藏自治区', 'Xizang', 'Tibet Autonomous Region', 'XZ'] },
  { code: '610000', zh: '陕西', en: 'Shaanxi', region: 'west', coastal: false, aliases: ['陕西省', 'SN'] },
  { code: '620000', zh: '甘肃', en: 'Gansu', region: 'west', coastal: false, aliases: ['甘肃省', 'GS'] },
  { code: '630000', zh: '青海', en: 'Qinghai', region: 'west', coastal: false, aliases: ['青海省', 'QH'] },
  {
    code: '640000',
    zh: '宁夏',
    en: 'Ningxia',
    region: 'west',
    coastal: false,
    aliases: ['宁夏回族自治区', 'Ningxia Hui', 'Ningxia Hui Autonomous Region', 'NX'],
  },
  {
    code: '650000',
    zh: '新疆',
    en: 'Xinjiang',
    region: 'west',
    coastal: false,
    aliases: ['新疆维吾尔自治区', 'Xinjiang Uygur', 'Xinjiang Uyghur', 'Xinjiang Uighur', 'Xinjiang Uygur Autonomous Region', 'XJ'],
  },
  // Outside the study's sample; listed so that their rows are recognised (and left out) rather than rejected.
  { code: '710000', zh: '台湾', en: 'Taiwan', region: null, coastal: true, aliases: ['台湾省', 'TW'] },
  { code: '810000', zh: '香港', en: 'Hong Kong', region: null, coastal: true, aliases: ['香港特别行政区', 'Hongkong', 'HK'] },
  { code: '820000', zh: '澳门', en: 'Macau', region: null, coastal: true, aliases: ['澳门特别行政区', 'Macao', 'MO'] },
];

/** The study's default sample: all mainland province-level units except Tibet (30). */
export const DEFAULT_SAMPLE_CODES: readonly string[] = PROVINCES.filter((p) => p.region !== null && p.code !== '540000').map((p) => p.code);

const BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]));

/** Lower-case, no spaces, hyphens, dots or underscores: "Nei Mongol" and "nei-mongol" meet. */
function key(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.'’]/g, '');
}

const BY_KEY = new Map<string, Province>();
for (const p of PROVINCES) {
  for (const name of [p.code, p.code.slice(0, 2), `CN-${p.aliases.find((a) => /^[A-Z]{2}$/.test(a)) ?? ''}`, p.zh, p.en, ...p.aliases]) {
    BY_KEY.set(key(name), p);
  }
  // English forms with administrative suffixes: "Hebei Province", "Beijing Municipality", "Beijing Shi".
  for (const suffix of ['province', 'sheng', 'municipality', 'city', 'shi', 'autonomousregion', 'zizhiqu', 'sar']) {
    BY_KEY.set(key(p.en) + suffix, p);
  }
}

/** The province for any common spelling (Chinese, English, pinyin, letter or numeric code), or null. */
export function findProvince(name: string): Province | null {
  const k = key(name);
  if (k === '' || k === 'cn') return null;
  return BY_KEY.get(k) ?? null;
}

export function provinceByCode(code: string): Province | undefined {
  return BY_CODE.get(code);
}

/** The spelling written to output tables (panel.csv, province_year.csv): the English name. */
export function provinceName(code: string): string {
  return BY_CODE.get(code)?.en ?? code;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The province a misspelt name most likely means, for a "did you mean": a known spelling that
 * starts with the name or that the name starts with (内蒙 -> 内蒙古, 北京市市 -> 北京), else the
 * closest spelling within a third of its length in edits (Guangdon -> Guangdong).
 */
export function suggestProvince(name: string): Province | null {
  const k = key(name);
  if (k === '') return null;
  let best: { p: Province; score: number } | null = null;
  for (const [spelling, p] of BY_KEY) {
    if (spelling.length < 2 || /^[a-z0-9]{1,2}$/.test(spelling)) continue;
    const prefix = spelling.startsWith(k) || k.startsWith(spelling);
    const score = prefix ? Math.abs(spelling.length - k.length) / 100 : editDistance(k, spelling);
    const limit = prefix ? 1 : Math.max(1, Math.floor(spelling.length / 3));
    if (score <= limit && (!best || score < best.score)) best = { p, score };
  }
  return best?.p ?? null;
}

/** " (did you mean 内蒙古 / Inner Mongolia?)" for a misspelt province, or "". */
export function didYouMean(name: string): string {
  const guess = suggestProvince(name);
  return guess ? ` (did you mean ${guess.zh} / ${guess.en}?)` : '';
}
