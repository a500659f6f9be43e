import type { DmlEstimate } from './estimate.ts';
import { thetaBounds } from './sensitivity.ts';

export interface ContourOptions {
  title?: string;
  /** Largest cf_y and cf_d shown (default 0.15, widened to include the scenario, benchmarks and RV). */
  max?: number;
  /** Points grid x grid. */
  grid?: number;
  /** Benchmarks to mark, e.g. from --sensitivity-benchmark. */
  benchmarks?: { label: string; cf_y: number; cf_d: number }[];
}

const esc = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (v: number): string => (Math.round(v * 1e4) / 1e4).toString();
const px = (v: number): string => String(Math.round(v * 10) / 10);

/** "Nice" contour levels covering [lo, hi]. */
function levels(lo: number, hi: number, count = 8): number[] {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** Line segments of the level set value = level on a grid (marching squares, linear interpolation). */
function isoSegments(z: number[][], level: number): [number, number, number, number][] {
  const segs: [number, number, number, number][] = [];
  const m = z.length;
  const cross = (a: number, b: number): number => (level - a) / (b - a);
  for (let i = 0; i + 1 < m; i++) {
    for (let j = 0; j + 1 < m; j++) {
      // Corners (i = x index, j = y index): 0 (i,j), 1 (i+1,j), 2 (i+1,j+1), 3 (i,j+1).
      const c = [z[i][j], z[i + 1][j], z[i + 1][j + 1], z[i][j + 1]];
      const pts: [number, number][] = [];
      const edges: [number, number, [number, number], [number, number]][] = [
        [0, 1, [i, j], [i + 1, j]],
        [1, 2, [i + 1, j], [i + 1, j + 1]],
        [2, 3, [i + 1, j + 1], [i, j + 1]],
        [3, 0, [i, j + 1], [i, j]],
      ];
      for (const [a, b, pa, pb] of edges) {
        if (c[a] < level !== c[b] < level) {
          const t = cross(c[a], c[b]);
          pts.push([pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1])]);
        }
      }
      for (let k = 0; k + 1 < pts.length; k += 2) segs.push([pts[k][0], pts[k][1], pts[k + 1][0], pts[k + 1][1]]);
    }
  }
  return segs;
}

/**
 * Contour plot of the sensitivity bound on the null's side (the lower bound when theta is above
 * the null) over a grid of cf_y x cf_d, with the null's contour drawn thick, the scenario and any
 * benchmarks marked, and the estimate itself at the origin.
 */
export function contourSvg(e: DmlEstimate, options: ContourOptions = {}): string {
  const s = e.sensitivity!,
    reps = e.sensitivityInputs!;
  const nScaling = e.n_obs;
  const h = s.null_hypothesis;
  const upperSide = h > e.theta;
  const marks = [{ label: `scenario (${s.cf_y}, ${s.cf_d})`, cf_y: s.cf_y, cf_d: s.cf_d }, ...(options.benchmarks ?? [])];
  // Wide enough for the scenario, the benchmarks and the robustness value (where the bound meets the null).
  const max = options.max ?? Math.min(0.99, Math.max(0.15, 1.25 * s.rv, ...marks.map((m) => 1.2 * Math.max(m.cf_y, m.cf_d))));
  const n = options.grid ?? 61;
  const axis = Array.from({ length: n }, (_, k) => (k / (n - 1)) * max);
  const z = axis.map((cy) =>
    axis.map((cd) => {
      const b = thetaBounds(reps, cy, cd, s.rho, nScaling);
      return upperSide ? b.upper : b.lower;
    }),
  );
  const flat = z.flat();
  const lo = Math.min(...flat),
    hi = Math.max(...flat);
  const W = 560,
    H = 520,
    left = 70,
    top = 50,
    size = 400;
  const X = (i: number): number => left + (i / (n - 1)) * size;
  const Y = (j: number): number => top + size - (j / (n - 1)) * size;
  const Xv = (v: number): number => left + (v / max) * size;
  const Yv = (v: number): number => top + size - (v / max) * size;
  // Colour: blue where the bound keeps the estimate's sign against the null, red beyond it.
  const colour = (v: number): string => {
    const t = Math.max(-1, Math.min(1, (v - h) / Math.max(Math.abs(e.theta - h), 1e-12)));
    const a = Math.abs(t);
    const [r, g, b] = t * (upperSide ? -1 : 1) >= 0 ? [255 - 150 * a, 255 - 100 * a, 255] : [255, 255 - 150 * a, 255 - 150 * a];
    return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(options.title ?? 'Sensitivity contour')}</title>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(`${upperSide ? 'Upper' : 'Lower'} bound of theta${options.title ? ` — ${options.title}` : ''}`)}</text>`,
  ];
  const cell = size / (n - 1);
  for (let i = 0; i < n - 1; i++) {
    for (let j = 0; j < n - 1; j++) {
      const v = (z[i][j] + z[i + 1][j] + z[i][j + 1] + z[i + 1][j + 1]) / 4;
      out.push(`<rect x="${px(X(i))}" y="${px(Y(j + 1))}" width="${px(cell + 0.3)}" height="${px(cell + 0.3)}" fill="${colour(v)}"/>`);
    }
  }
  const path = (segs: [number, number, number, number][]): string => segs.map(([a, b, c, d]) => `M${px(X(a))} ${px(Y(b))}L${px(X(c))} ${px(Y(d))}`).join('');
  for (const level of levels(lo, hi)) {
    if (Math.abs(level - h) < 1e-12) continue;
    const segs = isoSegments(z, level);
    if (segs.length === 0) continue;
    out.push(`<path d="${path(segs)}" stroke="#555" stroke-width="0.8" fill="none"/>`);
    // Label the level where its contour meets the right or top edge.
    const end = segs.reduce((best, sg) => (sg[0] + sg[1] > best[0] + best[1] ? sg : best));
    out.push(`<text x="${px(X(end[0]) - 2)}" y="${px(Y(end[1]) - 3)}" text-anchor="end" font-size="10" fill="#333">${fmt(level)}</text>`);
  }
  const nullSegs = isoSegments(z, h);
  if (nullSegs.length) out.push(`<path d="${path(nullSegs)}" stroke="#c00" stroke-width="2.5" fill="none"><title>bound = ${fmt(h)}</title></path>`);
  out.push(`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#000"/>`);
  for (const t of levels(0, max, 5)) {
    out.push(
      `<line x1="${px(Xv(t))}" y1="${top + size}" x2="${px(Xv(t))}" y2="${top + size + 5}" stroke="#000"/>`,
      `<text x="${px(Xv(t))}" y="${top + size + 18}" text-anchor="middle">${fmt(t)}</text>`,
      `<line x1="${left - 5}" y1="${px(Yv(t))}" x2="${left}" y2="${px(Yv(t))}" stroke="#000"/>`,
      `<text x="${left - 8}" y="${px(Yv(t) + 4)}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<text x="${left + size / 2}" y="${top + size + 38}" text-anchor="middle">cf_y (share of the outcome's residual variation)</text>`,
    `<text transform="translate(18 ${top + size / 2}) rotate(-90)" text-anchor="middle">cf_d (share of the treatment's residual variation)</text>`,
  );
  out.push(
    `<circle cx="${px(Xv(0))}" cy="${px(Yv(0))}" r="5" fill="#000"><title>estimate ${fmt(e.theta)}</title></circle>`,
    `<text x="${px(Xv(0) + 8)}" y="${px(Yv(0) - 8)}">estimate ${fmt(e.theta)}</text>`,
  );
  for (const m of marks) {
    const b = thetaBounds(reps, m.cf_y, m.cf_d, s.rho, nScaling);
    const v = upperSide ? b.upper : b.lower;
    out.push(
      `<path d="M${px(Xv(m.cf_y) - 5)} ${px(Yv(m.cf_d) - 5)}l10 10m0 -10l-10 10" stroke="#000" stroke-width="2"><title>${esc(m.label)}: bound ${fmt(v)}</title></path>`,
      `<text x="${px(Xv(m.cf_y) + 8)}" y="${px(Yv(m.cf_d) - 6)}">${esc(`${m.label}: ${fmt(v)}`)}</text>`,
    );
  }
  out.push(
    `<text x="${left}" y="${H - 10}" font-size="11">rho = ${s.rho}; red line: bound = ${fmt(h)}; RV = ${(s.rv * 100).toFixed(2)}%, RVa = ${(s.rva * 100).toFixed(2)}%</text>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}
