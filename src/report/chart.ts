import { esc, formatNumber, px } from './svg.ts';

export interface Series {
  name: string;
  /** [year, value] pairs, ascending years; missing years are simply absent. */
  points: Array<[number, number]>;
}

/** Round tick values from at or below `lo` to at or above `hi` (about `count` steps of 1, 2 or 5 x 10^k). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

interface Frame {
  x: number;
  y: number;
  width: number;
  height: number;
}

function scales(frame: Frame, years: [number, number], range: [number, number]) {
  const [y0, y1] = years;
  const [v0, v1] = range;
  return {
    sx: (year: number) => frame.x + (y1 === y0 ? frame.width / 2 : ((year - y0) / (y1 - y0)) * frame.width),
    sy: (v: number) => frame.y + frame.height - (v1 === v0 ? frame.height / 2 : ((v - v0) / (v1 - v0)) * frame.height),
  };
}

function linePath(points: Array<[number, number]>, sx: (x: number) => number, sy: (y: number) => number): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${px(sx(x))} ${px(sy(y))}`).join('');
}

function yearExtent(series: Series[]): [number, number] {
  const years = series.flatMap((s) => s.points.map(([y]) => y));
  return [Math.min(...years), Math.max(...years)];
}

/** A line chart with axes, gridlines and a year axis: the national series. */
export function renderLineChart(spec: { title: string; units: string; series: Series[]; width?: number; height?: number }): string {
  const width = spec.width ?? 700;
  const height = spec.height ?? 300;
  const all = spec.series.flatMap((s) => s.points);
  if (all.length === 0) throw new Error(`chart "${spec.title}": no data`);
  const years = yearExtent(spec.series);
  const ticks = niceTicks(0, Math.max(...all.map(([, v]) => v)));
  const frame = { x: 70, y: 56, width: width - 90, height: height - 96 };
  const { sx, sy } = scales(frame, years, [0, ticks[ticks.length - 1]]);
  const grid = ticks.map(
    (t) =>
      `<line x1="${frame.x}" x2="${frame.x + frame.width}" y1="${px(sy(t))}" y2="${px(sy(t))}" stroke="#ddd"/><text x="${frame.x - 6}" y="${px(sy(t) + 4)}" text-anchor="end">${esc(formatNumber(t, 3))}</text>`,
  );
  const xTicks: string[] = [];
  for (let y = years[0]; y <= years[1]; y++) xTicks.push(`<text x="${px(sx(y))}" y="${frame.y + frame.height + 16}" text-anchor="middle">${y}</text>`);
  const colours = ['#08519c', '#a50f15', '#006d2c', '#54278f'];
  const lines = spec.series.map(
    (s, i) =>
      `<path class="series" data-name="${esc(s.name)}" d="${linePath(s.points, sx, sy)}" fill="none" stroke="${colours[i % colours.length]}" stroke-width="2.2"/>` +
      s.points
        .map(
          ([x, y]) =>
            `<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="2.6" fill="${colours[i % colours.length]}"><title>${esc(`${s.name} ${x}: ${formatNumber(y, 4)} ${spec.units}`)}</title></circle>`,
        )
        .join(''),
  );
  const legend = spec.series.map(
    (s, i) =>
      `<g transform="translate(${14 + i * 260},40)"><rect width="14" height="3" y="-4" fill="${colours[i % colours.length]}"/><text x="20">${esc(s.name)}</text></g>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="line-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">${esc(spec.title)}</text>`,
    `<text x="14" y="${frame.y + frame.height / 2}" transform="rotate(-90 14 ${frame.y + frame.height / 2})" text-anchor="middle">${esc(spec.units)}</text>`,
    ...grid,
    ...xTicks,
    ...lines,
    ...legend,
    `<line x1="${frame.x}" x2="${frame.x + frame.width}" y1="${frame.y + frame.height}" y2="${frame.y + frame.height}" stroke="#333"/>`,
    `</svg>`,
  ].join('\n');
}

/** Small multiples: one panel per series, each with its own vertical scale (min and max shown). */
export function renderSmallMultiples(spec: { title: string; units: string; series: Series[]; columns?: number; width?: number }): string {
  const columns = spec.columns ?? 6;
  const width = spec.width ?? 900;
  const cellW = width / columns;
  const cellH = 92;
  const rows = Math.ceil(spec.series.length / columns);
  const height = 40 + rows * cellH;
  if (spec.series.length === 0) throw new Error(`chart "${spec.title}": no data`);
  const years = yearExtent(spec.series);
  const panels = spec.series.map((s, i) => {
    const fx = (i % columns) * cellW;
    const fy = 40 + Math.floor(i / columns) * cellH;
    const values = s.points.map(([, v]) => v);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const frame = { x: fx + 8, y: fy + 30, width: cellW - 20, height: cellH - 46 };
    const { sx, sy } = scales(frame, years, [lo, hi]);
    return (
      `<g class="panel" data-name="${esc(s.name)}"><text x="${fx + 8}" y="${fy + 12}" font-weight="bold">${esc(s.name)}</text>` +
      `<text x="${fx + 8}" y="${fy + 25}" fill="#555">${esc(`${formatNumber(lo)} – ${formatNumber(hi)}`)}</text>` +
      `<rect x="${px(frame.x)}" y="${px(frame.y)}" width="${px(frame.width)}" height="${px(frame.height)}" fill="#f7f7f7"/>` +
      `<path d="${linePath(s.points, sx, sy)}" fill="none" stroke="#08519c" stroke-width="1.6"/></g>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="small-multiples" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="Helvetica, Arial, sans-serif" font-size="10">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">${esc(spec.title)}</text>`,
    `<text x="8" y="34" fill="#444">${esc(`Each panel: ${years[0]}–${years[1]}, own vertical scale (range shown, ${spec.units})`)}</text>`,
    ...panels,
    `</svg>`,
  ].join('\n');
}
