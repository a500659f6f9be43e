import type { MapGeometry } from './geometry.ts';
import { type Classes, classOf, naturalBreaks } from './jenks.ts';
import { esc, formatNumber, px } from './svg.ts';

/** Five-class sequential ColorBrewer palettes (light = low). */
export const PALETTES = {
  YlOrRd: ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'],
  YlGnBu: ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'],
  Purples: ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'],
} as const;

export interface ChoroplethSpec {
  /** Unique within a page: prefixes the SVG's internal ids (hatch pattern). */
  key: string;
  title: string;
  subtitle?: string;
  units: string;
  /** Value per province id; ids absent (or non-finite) are drawn hatched as "not in sample". */
  values: Map<string, number>;
  palette: readonly string[];
  /** Class breaks; by default natural breaks (Jenks, 5 classes) of the values on this map. */
  classes?: Classes;
  note?: string;
}

const TITLE_H = 44;
const FOOT_H = 22;

/**
 * A choropleth of provinces as a standalone SVG document: one `<path>` per province (with its
 * id, name and value in `data-*` attributes and a tooltip), hatched grey provinces outside the
 * sample, a legend with the class ranges and units, a north arrow and the South China Sea inset.
 */
export function renderChoropleth(geometry: MapGeometry, spec: ChoroplethSpec): string {
  const inSample = [...spec.values.entries()].filter(([, v]) => Number.isFinite(v));
  if (inSample.length === 0) throw new Error(`map "${spec.title}": no province has a value`);
  const known = new Set(geometry.shapes.map((s) => s.id));
  const unknown = inSample.filter(([id]) => !known.has(id)).map(([id]) => id);
  if (unknown.length) throw new Error(`map "${spec.title}": provinces ${unknown.join(', ')} are not in the map boundaries`);
  const classes =
    spec.classes ??
    naturalBreaks(
      inSample.map(([, v]) => v),
      spec.palette.length,
    );
  const hatch = `${spec.key}-hatch`;
  const { width } = geometry;
  const height = geometry.height + TITLE_H + FOOT_H;

  const paths: string[] = [];
  const labels: string[] = [];
  for (const shape of geometry.shapes) {
    const v = spec.values.get(shape.id);
    const has = v !== undefined && Number.isFinite(v);
    const fill = has ? spec.palette[classOf(classes, v)] : `url(#${hatch})`;
    const tip = has ? `${shape.name}: ${formatNumber(v, 4)} ${spec.units}` : `${shape.name}: not in sample`;
    paths.push(
      `<path d="${shape.d}" fill="${fill}" data-id="${esc(shape.id)}" data-name="${esc(shape.name)}"` +
        ` data-value="${has ? String(v) : ''}" class="${has ? 'in-sample' : 'not-in-sample'}"><title>${esc(tip)}</title></path>`,
    );
    if (!has && shape.labelWidth > 60) {
      labels.push(`<text x="${px(shape.labelAt[0])}" y="${px(shape.labelAt[1])}" text-anchor="middle" class="nis">not in sample</text>`);
    }
  }

  const legend = renderLegend(spec, classes, hatch, geometry.height);
  const inset = geometry.inset
    ? `<rect x="${px(geometry.inset.x)}" y="${px(geometry.inset.y)}" width="${px(geometry.inset.width)}" height="${px(geometry.inset.height)}" fill="none" stroke="#555" stroke-width="0.8"/>` +
      `<text x="${px(geometry.inset.x + geometry.inset.width - 4)}" y="${px(geometry.inset.y + geometry.inset.height - 5)}" text-anchor="end" class="small">South China Sea islands</text>`
    : '';
  const north = `<g transform="translate(${px(width - 30)},10)" class="north"><path d="M0 0l8 24-8-6-8 6z" fill="#333"/><text x="0" y="36" text-anchor="middle" class="small">N</text></g>`;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="choropleth" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(spec.title)}" font-family="Helvetica, Arial, sans-serif">`,
    `<defs><pattern id="${hatch}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e6e6e6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="1.6"/></pattern>`,
    `<style>.small{font-size:10px;fill:#444}.nis{font-size:11px;fill:#333;font-style:italic}.legend text{font-size:11px;fill:#222}</style></defs>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="16" font-weight="bold" fill="#111" class="map-title">${esc(spec.title)}</text>`,
    `<text x="8" y="37" font-size="12" fill="#444">${esc(spec.subtitle ?? `Units: ${spec.units}`)}</text>`,
    `<g transform="translate(0,${TITLE_H})">`,
    `<g class="provinces" stroke="#fff" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd">${paths.join('')}</g>`,
    labels.join(''),
    inset,
    north,
    legend,
    `</g>`,
    `<text x="8" y="${height - 7}" class="small">${esc(spec.note ?? 'Natural breaks (Jenks), 5 classes. Albers equal-area conic (25N, 47N; 105E).')}</text>`,
    `</svg>`,
  ].join('\n');
}

function renderLegend(spec: ChoroplethSpec, classes: Classes, hatch: string, mapHeight: number): string {
  const rows = classes.upper.map((upper, i) => {
    const lower = i === 0 ? classes.min : classes.upper[i - 1];
    const label = i === 0 ? `${formatNumber(lower)} – ${formatNumber(upper)}` : `> ${formatNumber(lower)} – ${formatNumber(upper)}`;
    return { fill: spec.palette[i], label };
  });
  rows.push({ fill: `url(#${hatch})`, label: 'not in sample' });
  const rowH = 18;
  const y0 = mapHeight - 12 - rows.length * rowH - 18;
  const items = rows.map(
    (r, i) =>
      `<g class="legend-item" transform="translate(0,${i * rowH})"><rect width="22" height="13" fill="${r.fill}" stroke="#777" stroke-width="0.5"/><text x="30" y="11">${esc(r.label)}</text></g>`,
  );
  return `<g class="legend" transform="translate(12,${px(y0)})"><text x="0" y="-6" font-weight="bold">${esc(shortUnits(spec.units))}</text>${items.join('')}</g>`;
}

/** Units without a trailing parenthetical definition, for the legend heading. */
export function shortUnits(units: string): string {
  const text = units.trimEnd();
  if (!text.endsWith(')')) return text;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) return i > 0 ? text.slice(0, i).trimEnd() : text;
  }
  return text;
}
