import { formatCsv } from '../../src/common/csv.ts';
import { createRng } from '../../src/common/random.ts';
import { PANEL_COLUMNS } from '../../src/panel/index.ts';

/**
 * A seeded synthetic province-year panel with the columns of output/panel.csv that the DML
 * battery uses (30 provinces x 2011-2022 = 360 rows). Outcomes depend on DCP with known
 * coefficients plus nonlinear control effects and province effects.
 */
const PROVINCES: [number, string, string, number][] = [
  [110000, 'Beijing', 'east', 0],
  [120000, 'Tianjin', 'east', 1],
  [130000, 'Hebei', 'east', 1],
  [140000, 'Shanxi', 'central', 0],
  [150000, 'Inner Mongolia', 'west', 0],
  [210000, 'Liaoning', 'east', 1],
  [220000, 'Jilin', 'central', 0],
  [230000, 'Heilongjiang', 'central', 0],
  [310000, 'Shanghai', 'east', 1],
  [320000, 'Jiangsu', 'east', 1],
  [330000, 'Zhejiang', 'east', 1],
  [340000, 'Anhui', 'central', 0],
  [350000, 'Fujian', 'east', 1],
  [360000, 'Jiangxi', 'central', 0],
  [370000, 'Shandong', 'east', 1],
  [410000, 'Henan', 'central', 0],
  [420000, 'Hubei', 'central', 0],
  [430000, 'Hunan', 'central', 0],
  [440000, 'Guangdong', 'east', 1],
  [450000, 'Guangxi', 'west', 1],
  [460000, 'Hainan', 'east', 1],
  [500000, 'Chongqing', 'west', 0],
  [510000, 'Sichuan', 'west', 0],
  [520000, 'Guizhou', 'west', 0],
  [530000, 'Yunnan', 'west', 0],
  [610000, 'Shaanxi', 'west', 0],
  [620000, 'Gansu', 'west', 0],
  [630000, 'Qinghai', 'west', 0],
  [640000, 'Ningxia', 'west', 0],
  [650000, 'Xinjiang', 'west', 0],
];

export function synthPanelRows(seed: number, years = 12): (string | number)[][] {
  const rng = createRng(seed);
  const rows: (string | number)[][] = [];
  const envRegs: number[] = [];
  for (const [code, name, region, coastal] of PROVINCES) {
    const size = rng.normal(),
      rich = rng.normal() + (region === 'east' ? 1 : region === 'west' ? -0.7 : 0);
    const telegraph = Math.exp(0.5 * rng.normal());
    let lagDcp = 0;
    for (let t = 0; t < years; t++) {
      const year = 2011 + t;
      const lngdp = 9.5 + 0.5 * rich + 0.8 * size + 0.07 * t + 0.05 * rng.normal();
      const lnpop = 8.2 + 0.9 * size + 0.005 * t + 0.02 * rng.normal();
      const green = 12 + 2 * rich + 0.2 * t + rng.normal();
      const human = 3.5 + 0.6 * size + 0.3 * rich + 0.03 * t + 0.1 * rng.normal();
      const ind = 1 + 0.3 * rich + 0.05 * t + 0.1 * rng.normal();
      const edu = 6.5 + 0.7 * size + 0.06 * t + 0.05 * rng.normal();
      const dcp = 1 / (1 + Math.exp(-(0.8 * rich + 0.15 * (t - 6) + 0.3 * Math.sin(green) + 0.4 * rng.normal())));
      const cee = 1.5 + 0.8 * dcp + 0.3 * Math.tanh(lngdp - 10) + 0.1 * ind * ind + 0.2 * rich + 0.1 * rng.normal();
      const ciwb = 2 - 0.5 * dcp + 0.2 * Math.exp(-Math.abs(human - 4)) + 0.15 * size + 0.1 * rng.normal();
      const envReg = 0.02 + 0.005 * rich + 0.004 * rng.normal();
      envRegs.push(envReg);
      const iv = telegraph * (t === 0 ? dcp : lagDcp);
      lagDcp = dcp;
      rows.push([
        code,
        name,
        year,
        region,
        coastal,
        Math.exp(lnpop + 1.5 - 0.05 * t) * 1000,
        cee,
        ciwb,
        dcp,
        Math.min(1, Math.max(0, dcp + 0.05 * rng.normal())),
        0.6 + 0.3 * dcp + 0.1 * rng.normal(),
        2.2 + 0.3 * dcp + 0.05 * rng.normal(),
        lngdp,
        lnpop,
        green,
        human,
        ind,
        edu,
        envReg,
        0,
        iv,
      ]);
    }
  }
  const sorted = [...envRegs].sort((a, b) => a - b);
  const sortedMed = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  rows.forEach((row, i) => {
    row[19] = envRegs[i] > sortedMed ? 1 : 0;
  });
  return rows;
}

export function synthPanelCsv(seed: number): string {
  return formatCsv([...PANEL_COLUMNS], synthPanelRows(seed));
}
