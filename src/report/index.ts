import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { CgerError } from '../common/errors.ts';
import { version } from '../common/version.ts';
import type { BatteryEstimate } from '../dml/index.ts';
import type { PanelMeta } from '../panel/index.ts';
import { renderLineChart, renderSmallMultiples, type Series } from './chart.ts';
import { loadMapGeometry, type MapGeometry } from './geometry.ts';
import { auditHtml, csvTableHtml, htmlTable, panelColumn, provenanceHtml, renderPage, type Section } from './html.ts';
import { defaultPaths, type ReportInputs, type ReportPaths, readInputs } from './inputs.ts';
import { naturalBreaks } from './jenks.ts';
import { PALETTES, renderChoropleth } from './map.ts';
import { esc, formatNumber } from './svg.ts';

export { loadMapGeometry, type MapGeometry, type ProvinceShape } from './geometry.ts';
export { checkInputs, defaultPaths, type ReportInputs, type ReportPaths, readInputs } from './inputs.ts';
export { type Classes, classOf, naturalBreaks } from './jenks.ts';
export { PALETTES, renderChoropleth } from './map.ts';

export interface ReportOptions {
  /** Where the inputs are by default and where report.html and maps/ are written. */
  outDir: string;
  /** Overrides of single input paths (default: the stages' default names under outDir). */
  paths?: Partial<ReportPaths>;
  /** Boundaries for the maps (GeoJSON, EPSG:4326); default: the shipped province file. */
  boundaries?: string;
  idField?: string;
  nameField?: string;
  /** Planted effects of a synthetic run (outcome -> true theta), shown next to the estimates. */
  truth?: Record<string, number>;
  /** Tolerance the ingest used for its mass audit (for the verdict line). */
  auditTolerance?: number;
  /** Notices about the map boundaries (repaired geometry). */
  onWarning?: (message: string) => void;
}

export interface ReportResult {
  report: string;
  maps: string[];
  /** Years of the maps (first and last sample year). */
  mapYears: [number, number];
}

/** The shipped province boundaries (found from the package, whatever the working directory). */
export const DEFAULT_MAP_BOUNDARIES = fileURLToPath(new URL('../../boundaries/cn-provinces-ctamap2023.geojson', import.meta.url));

/** Province-level units outside mainland China (GB/T 2260): not part of the national series. */
const NOT_MAINLAND = new Set(['710000', '810000', '820000']);

interface MapVariable {
  column: string;
  label: string;
  palette: readonly string[];
  fallbackUnits: string;
}

const MAP_VARIABLES: MapVariable[] = [
  { column: 'CEE', label: 'Carbon economic performance (CEE = GDP / CO2)', palette: PALETTES.YlGnBu, fallbackUnits: 'GDP per tonne CO2' },
  { column: 'CIWB', label: 'Welfare carbon intensity (CIWB)', palette: PALETTES.YlOrRd, fallbackUnits: 't CO2 per person per year of life expectancy x 100' },
  { column: 'DCP', label: 'Computing-power development (DCP)', palette: PALETTES.Purples, fallbackUnits: 'index, 0-1' },
];

export async function runReport(opts: ReportOptions): Promise<ReportResult> {
  const paths = { ...defaultPaths(opts.outDir), ...opts.paths };
  const boundaries = opts.boundaries ?? DEFAULT_MAP_BOUNDARIES;
  if (!existsSync(boundaries)) throw new CgerError(`map boundaries not found: ${boundaries} (point --boundaries at a GeoJSON file or a shapefile)`);
  const inputs = await readInputs(paths);
  const geometry = await loadMapGeometry(boundaries, { idField: opts.idField, nameField: opts.nameField, onWarning: opts.onWarning });

  const years = [...new Set(inputs.panel.records.map((r) => Number(r.values.year)))].filter(Number.isFinite).sort((a, b) => a - b);
  if (years.length === 0) throw new CgerError(`${paths.panel}: no rows`);
  const mapYears: [number, number] = [years[0], years[years.length - 1]];

  const maps = buildMaps(inputs, geometry, mapYears);
  const mapFiles: string[] = [];
  for (const m of maps) {
    const file = join(opts.outDir, 'maps', `${m.key}.svg`);
    writeFileAtomic(file, `<?xml version="1.0" encoding="UTF-8"?>\n${m.svg}\n`);
    mapFiles.push(file);
  }

  const sampleIds = new Set(inputs.panel.records.map((r) => r.values.province_code));
  const sections: Section[] = [
    { id: 'summary', title: 'Summary', body: summaryHtml(inputs, opts.truth) },
    {
      id: 'provenance',
      title: 'Provenance',
      body: provenanceHtml(inputs.provenance, [
        ['Report cger version', version],
        ['Panel', `${paths.panel} (${inputs.panel.records.length} province-years, ${sampleIds.size} provinces, ${years[0]}–${years[years.length - 1]})`],
        ...metaProvenance(inputs.panelMeta),
        ...estimatesProvenance(inputs.estimates),
        ['Map boundaries', `${boundaries} (CTAmap 2023 via the cn-atlas package)`],
      ]),
    },
    { id: 'co2', title: 'Annual CO2 emissions', body: co2Html(inputs, sampleIds) },
    { id: 'audit', title: 'Mass audit', body: auditHtml(inputs.provenance, opts.auditTolerance ?? 1e-9) },
    {
      id: 'maps',
      title: `Maps, ${mapYears[0]} and ${mapYears[1]}`,
      body:
        `<div class="maps">${maps.map((m) => `<figure id="map-${m.key}">${m.svg}</figure>`).join('\n')}</div>` +
        '<p class="note">Classes: natural breaks (Jenks, 5 classes) of each variable over both years together, so the two years share a legend. Hatched: provinces not in the sample. Hover a province for its value. The same maps are in <code>maps/</code> as SVG files.</p>',
    },
    { id: 'table3', title: 'Descriptive statistics (Table 3)', body: csvTableHtml(inputs.descriptive) },
    { id: 'regressions', title: 'Regression tables (Tables 4–11)', body: inputs.regressions.map(csvTableHtml).join('\n') },
    ...(inputs.sensitivity.length
      ? [
          {
            id: 'sensitivity',
            title: 'Sensitivity to unobserved confounding',
            body: inputs.sensitivity.map((s) => csvTableHtml(s.table) + (s.contourSvg ? `<figure class="contour">${s.contourSvg}</figure>` : '')).join('\n'),
          },
        ]
      : []),
  ];
  const lead = `ODIAC release ${esc(inputs.provenance.release)} · ${sampleIds.size} provinces · ${years[0]}–${years[years.length - 1]} · cger ${esc(version)}`;
  const html = renderPage('cger report: computing power and carbon performance of Chinese provinces', lead, sections);
  const report = join(opts.outDir, 'report.html');
  writeFileAtomic(report, html);
  return { report, maps: mapFiles, mapYears };
}

function buildMaps(inputs: ReportInputs, geometry: MapGeometry, years: [number, number]): Array<{ key: string; svg: string }> {
  const out: Array<{ key: string; svg: string }> = [];
  for (const v of MAP_VARIABLES) {
    const byProvince = panelColumn(inputs.panel, v.column);
    const units = inputs.panelMeta.units[v.column] ?? v.fallbackUnits;
    const valuesOf = (year: number) => new Map([...byProvince].flatMap(([id, m]) => (m.has(year) ? [[id, m.get(year)!] as [string, number]] : [])));
    const pooled = years.flatMap((y) => [...valuesOf(y).values()]);
    if (pooled.length === 0) throw new CgerError(`panel column ${v.column} has no values in ${years.join(' or ')}`);
    const classes = naturalBreaks(pooled, v.palette.length);
    for (const year of years) {
      const key = `${v.column.toLowerCase()}_${year}`;
      out.push({ key, svg: renderChoropleth(geometry, { key, title: `${v.label}, ${year}`, units, values: valuesOf(year), palette: v.palette, classes }) });
    }
  }
  return out;
}

function co2Html(inputs: ReportInputs, sampleIds: Set<string>): string {
  const byZone = new Map<string, Series>();
  const mainland = new Map<number, number>();
  const sample = new Map<number, number>();
  const partial = inputs.provinceYear.filter((r) => r.months !== 12);
  for (const r of inputs.provinceYear) {
    if (!byZone.has(r.zoneId)) byZone.set(r.zoneId, { name: r.zoneName, points: [] });
    byZone.get(r.zoneId)!.points.push([r.year, r.co2 / 1e6]);
    if (!NOT_MAINLAND.has(r.zoneId)) mainland.set(r.year, (mainland.get(r.year) ?? 0) + r.co2 / 1e6);
    if (sampleIds.has(r.zoneId)) sample.set(r.year, (sample.get(r.year) ?? 0) + r.co2 / 1e6);
  }
  const sorted = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]);
  const mainlandCount = [...byZone.keys()].filter((id) => !NOT_MAINLAND.has(id)).length;
  const national = renderLineChart({
    title: 'National annual fossil-fuel CO2 (ODIAC, zonal sums)',
    units: 'Mt CO2',
    series: [
      { name: `Mainland China (${mainlandCount} province-level units)`, points: sorted(mainland) },
      { name: `Study sample (${sampleIds.size} provinces)`, points: sorted(sample) },
    ],
  });
  const provinces = [...byZone.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([, s]) => ({ ...s, points: s.points.sort((a, b) => a[0] - b[0]) }));
  const multiples = renderSmallMultiples({ title: 'Provincial annual CO2', units: 'Mt CO2', series: provinces });
  const years = [...new Set(inputs.provinceYear.map((r) => r.year))].sort((a, b) => a - b);
  const table = htmlTable(
    ['year', 'mainland (Mt CO2)', 'sample (Mt CO2)'],
    years.map((y) => [String(y), formatNumber(mainland.get(y) ?? NaN, 5), formatNumber(sample.get(y) ?? NaN, 5)]),
    'co2-national',
  );
  const note = partial.length
    ? `<p class="bad">Some province-years hold fewer than 12 months (${partial.length} rows, e.g. ${partial[0].zoneName} ${partial[0].year}: ${partial[0].months} months); their totals cover only those months.</p>`
    : '';
  return (
    `${note}<div class="chart">${national}</div>${table}<div class="chart">${multiples}</div>` +
    '<p class="note">CO2 = carbon x 44/12, summed from the monthly ODIAC grids (tonne carbon per cell per month) with exact cell coverage.</p>'
  );
}

function summaryHtml(inputs: ReportInputs, truth: Record<string, number> | undefined): string {
  const baseline = inputs.estimates.filter((e) => e.table === 'table4_baseline');
  if (baseline.length === 0) return '<p>No baseline estimates found (estimates.json).</p>';
  const header = ['model', 'outcome', 'treatment', 'θ', 'std. error', '95% interval', 'p', 'N'];
  if (truth) header.push('planted θ', 'inside interval');
  const rows = baseline.map((e) => {
    const lo = e.ci_lower;
    const hi = e.ci_upper;
    const row = [
      e.column,
      e.y,
      e.d,
      formatNumber(e.theta, 4),
      formatNumber(e.se, 3),
      `[${formatNumber(lo, 4)}, ${formatNumber(hi, 4)}]`,
      e.p.toFixed(4),
      String(e.n_obs),
    ];
    if (truth) {
      const t = truth[e.y];
      row.push(t === undefined ? '' : formatNumber(t, 4), t === undefined ? '' : t >= lo && t <= hi ? 'yes' : 'no');
    }
    return row;
  });
  const intro = truth
    ? '<p class="headline">Synthetic demonstration data: the yearbook and the rasters were generated with a planted effect of DCP on each outcome. The baseline estimates should cover it.</p>'
    : '';
  return `${intro}<h3>Baseline estimates (Table 4)</h3>${htmlTable(header, rows, 'baseline')}`;
}

function metaProvenance(meta: PanelMeta): Array<[string, string]> {
  const { yearbook, co2, config } = meta.inputs;
  return [
    ['Panel cger version', meta.cger_version],
    ['Panel input yearbook', `${yearbook.path} (SHA-256 ${yearbook.sha256})`],
    ['Panel input co2', `${co2.path} (SHA-256 ${co2.sha256}${co2.release ? `, release ${co2.release}` : ''})`],
    ['Panel input config', config.path === null ? 'built-in defaults' : `${config.path} (SHA-256 ${config.sha256})`],
  ];
}

function estimatesProvenance(estimates: BatteryEstimate[]): Array<[string, string]> {
  if (estimates.length === 0) return [];
  const hashes = [...new Set(estimates.map((e) => e.data_sha256))].filter(Boolean);
  const versions = [...new Set(estimates.map((e) => e.cger_version))].filter(Boolean);
  return [
    ['Estimates', `${estimates.length} DML estimates (estimates.json)`],
    ['Estimation data SHA-256', hashes.join(', ')],
    ['Estimation cger version', versions.join(', ')],
  ];
}

/** Reads a planted-effects file written by `cger demo` ({"CEE": θ, ...}), if present. */
export function readTruth(path: string): Record<string, number> | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { theta?: Record<string, number> };
  return parsed.theta;
}
