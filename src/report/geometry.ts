import { geoConicEqualArea } from 'd3-geo';
import { loadZones, type Polygon, type Zone } from '../boundaries/index.ts';
import { CgerError } from '../common/errors.ts';

/**
 * Province outlines prepared once for every map of a report: projected with an Albers equal-area
 * conic for China (standard parallels 25 and 47 N, central meridian 105 E; north up, shape kept),
 * fitted to the map frame, quantised to half a pixel and simplified (Douglas-Peucker, under half
 * a pixel), so each map stays small. The South China Sea islands (polygon parts wholly south of
 * 17.5 N) go to an inset at the bottom right, as on China's standard maps.
 */
export interface ProvinceShape {
  id: string;
  name: string;
  /** SVG path data in map pixels (main frame and inset together); drawn with evenodd fill. */
  d: string;
  /** Centre of the largest part's bounding box, for labels. */
  labelAt: [number, number];
  /** Width in pixels of the largest part (labels only fit big provinces). */
  labelWidth: number;
}

export interface MapGeometry {
  width: number;
  height: number;
  shapes: ProvinceShape[];
  /** Inset frame (pixels) for the South China Sea, or null when no part lies that far south. */
  inset: { x: number; y: number; width: number; height: number } | null;
}

/** Latitude below which a polygon part (its northernmost point) goes to the inset. */
const INSET_LATITUDE = 17.5;
/** The inset's geographic window and its scale relative to the main map. */
const INSET_WINDOW = { lon0: 107, lon1: 122, lat0: 3, lat1: 21 };
const INSET_SCALE = 0.36;
/** The inset's top sits just below this point (Taiwan's southern tip) so it never covers land. */
const INSET_TOP_BELOW: [number, number] = [121, 21.8];
const QUANTUM = 0.5;
const TOLERANCE = 0.45;

export interface GeometryOptions {
  /** Map width in pixels (the height follows China's shape). */
  width?: number;
  idField?: string;
  nameField?: string;
  margin?: number;
  onWarning?: (message: string) => void;
}

/** Zones are read (and their geometry checked) by the boundaries stage, in lon/lat. */
const LON_LAT = { epsg: 4326, definition: 'EPSG:4326' };

/** Reads GeoJSON or a shapefile (any CRS the boundaries stage reads) and lays the provinces out for maps. */
export async function loadMapGeometry(path: string, opts: GeometryOptions = {}): Promise<MapGeometry> {
  const { zones } = await loadZones(path, { idField: opts.idField, nameField: opts.nameField, targetCrs: LON_LAT, onWarning: opts.onWarning });
  return buildMapGeometry(zones, path, opts);
}

export function buildMapGeometry(zones: Zone[], source: string, opts: GeometryOptions = {}): MapGeometry {
  const width = opts.width ?? 700;
  const margin = opts.margin ?? 8;
  const projection = geoConicEqualArea().parallels([25, 47]).rotate([-105, 0]).scale(1).translate([0, 0]);
  const project = (p: number[]): [number, number] => {
    const xy = projection([p[0], p[1]]);
    if (!xy) throw new CgerError(`map boundaries ${source}: point ${p[0]},${p[1]} cannot be projected`);
    return xy;
  };

  const provinces = zones.map((zone) => {
    const main: Polygon[] = [];
    const south: Polygon[] = [];
    for (const poly of zone.geometry) (Math.max(...poly[0].map((p) => p[1])) < INSET_LATITUDE ? south : main).push(poly);
    return { id: zone.id, name: zone.name, main, south, all: zone.geometry };
  });

  // Fit the main frame to every part north of the inset latitude.
  const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const p of provinces) for (const poly of p.main) for (const [x, y] of poly[0].map(project)) extend(box, x, y);
  if (!Number.isFinite(box.x0)) throw new CgerError(`map boundaries ${source}: no polygons to draw`);
  const k = (width - 2 * margin) / (box.x1 - box.x0);
  let height = Math.ceil((box.y1 - box.y0) * k + 2 * margin);
  const toMain = (p: number[]): [number, number] => {
    const [x, y] = project(p);
    return [(x - box.x0) * k + margin, (y - box.y0) * k + margin];
  };

  // The inset shows its window at a smaller scale, anchored in the bottom-right corner.
  const hasSouth = provinces.some((p) => p.south.length > 0);
  let inset: MapGeometry['inset'] = null;
  let toInset: ((p: number[]) => [number, number]) | null = null;
  if (hasSouth) {
    const w = INSET_WINDOW;
    const corners = [
      [w.lon0, w.lat0],
      [w.lon1, w.lat0],
      [w.lon0, w.lat1],
      [w.lon1, w.lat1],
      [(w.lon0 + w.lon1) / 2, w.lat0],
    ];
    const ib = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    for (const c of corners) {
      const [x, y] = project(c);
      extend(ib, x, y);
    }
    const ik = k * INSET_SCALE;
    const iw = (ib.x1 - ib.x0) * ik;
    const ih = (ib.y1 - ib.y0) * ik;
    const top = toMain(INSET_TOP_BELOW)[1] + 4;
    inset = { x: width - margin - iw, y: top, width: iw, height: ih };
    height = Math.max(height, Math.ceil(top + ih + margin));
    const frame = inset;
    toInset = (p) => {
      const [x, y] = project(p);
      return [(x - ib.x0) * ik + frame.x, (y - ib.y0) * ik + frame.y];
    };
  }

  const shapes: ProvinceShape[] = provinces.map((p) => {
    const pieces: string[] = [];
    let best = { area: -1, at: [0, 0] as [number, number], width: 0 };
    for (const poly of p.main) {
      const rings = poly.map((ring) => simplifyRing(ring.map(toMain)));
      const outer = rings[0];
      if (outer.length < 3 && p.main.length > 1) continue; // below half a pixel
      const b = bounds(outer);
      const area = (b.x1 - b.x0) * (b.y1 - b.y0);
      if (area > best.area) best = { area, at: [(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2], width: b.x1 - b.x0 };
      for (const ring of rings) if (ring.length >= 2) pieces.push(ringPath(ring));
    }
    if (toInset && inset) {
      // Inset: this province's parts that reach into the inset window.
      for (const poly of p.all) {
        if (!poly[0].some((q) => q[0] >= INSET_WINDOW.lon0 && q[0] <= INSET_WINDOW.lon1 && q[1] >= INSET_WINDOW.lat0 && q[1] <= INSET_WINDOW.lat1)) continue;
        const rings = poly.map((ring) => simplifyRing(ring.map(toInset!)));
        for (const ring of rings) if (ring.length >= 2) pieces.push(ringPath(ring));
      }
    }
    return { id: p.id, name: p.name, d: pieces.join(''), labelAt: best.at, labelWidth: best.width };
  });
  return { width, height, shapes, inset };
}

function extend(b: { x0: number; y0: number; x1: number; y1: number }, x: number, y: number): void {
  if (x < b.x0) b.x0 = x;
  if (x > b.x1) b.x1 = x;
  if (y < b.y0) b.y0 = y;
  if (y > b.y1) b.y1 = y;
}

function bounds(points: Array<[number, number]>) {
  const b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const [x, y] of points) extend(b, x, y);
  return b;
}

/**
 * Snaps a closed ring to the half-pixel lattice (shared borders snap identically on both sides),
 * drops repeated points and then points within TOLERANCE of the simplified line.
 */
function simplifyRing(points: Array<[number, number]>): Array<[number, number]> {
  const snapped: Array<[number, number]> = [];
  for (const [x, y] of points) {
    const q: [number, number] = [Math.round(x / QUANTUM) * QUANTUM, Math.round(y / QUANTUM) * QUANTUM];
    const last = snapped[snapped.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) snapped.push(q);
  }
  if (snapped.length > 1) {
    const first = snapped[0];
    const last = snapped[snapped.length - 1];
    if (first[0] === last[0] && first[1] === last[1]) snapped.pop();
  }
  if (snapped.length < 4) return snapped;
  const keep = new Uint8Array(snapped.length);
  keep[0] = 1;
  keep[snapped.length - 1] = 1;
  // Iterative Douglas-Peucker (rings can have thousands of points).
  const stack: Array<[number, number]> = [[0, snapped.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    let worst = -1;
    let worstDist = TOLERANCE;
    for (let i = a + 1; i < b; i++) {
      const dist = distanceToSegment(snapped[i], snapped[a], snapped[b]);
      if (dist > worstDist) {
        worst = i;
        worstDist = dist;
      }
    }
    if (worst !== -1) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return snapped.filter((_, i) => keep[i]);
}

function distanceToSegment(p: [number, number], a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** `M x y` then relative steps: short strings for long borders. */
function ringPath(ring: Array<[number, number]>): string {
  let d = `M${num(ring[0][0])} ${num(ring[0][1])}l`;
  for (let i = 1; i < ring.length; i++) {
    const dx = num(ring[i][0] - ring[i - 1][0]);
    const dy = num(ring[i][1] - ring[i - 1][1]);
    d += `${i > 1 && !dx.startsWith('-') ? ' ' : ''}${dx}${dy.startsWith('-') ? '' : ' '}${dy}`;
  }
  return d + 'z';
}

function num(v: number): string {
  const r = Math.round(v * 2) / 2; // on the half-pixel lattice
  return String(r === 0 ? 0 : r);
}
