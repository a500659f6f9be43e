import { unkinkPolygon } from '@turf/unkink-polygon';
import * as polyclip from 'polyclip-ts';
import type { Polygon, Ring } from './types.ts';

/** What is wrong with a feature's geometry, in words for the user. */
export type GeometryProblem = 'self-intersecting ring' | 'overlapping parts' | 'hole crossing its outer ring';

/** Twice the signed area of a ring (positive when counter-clockwise with y up). */
export function ringArea2(ring: Ring): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a;
}

/** Outer rings counter-clockwise, holes clockwise: the orientation the coverage code expects. */
export function orientPolygons(polygons: Polygon[]): Polygon[] {
  return polygons.map((poly) =>
    poly.map((ring, k) => {
      const ccw = ringArea2(ring) > 0;
      return ccw === (k === 0) ? ring : ring.slice().reverse();
    }),
  );
}

interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  part: number;
  /** Global ring number within the feature. */
  ring: number;
  /** Position of the ring within its polygon (0 = outer). */
  ringInPart: number;
  index: number;
  ringSegments: number;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

type Contact = 'none' | 'touch' | 'cross';

/** How two segments meet: a proper crossing or collinear overlap is `cross`, a single shared point `touch`. */
function contact(s: Segment, t: Segment): Contact {
  const o1 = orient(s.x0, s.y0, s.x1, s.y1, t.x0, t.y0);
  const o2 = orient(s.x0, s.y0, s.x1, s.y1, t.x1, t.y1);
  const o3 = orient(t.x0, t.y0, t.x1, t.y1, s.x0, s.y0);
  const o4 = orient(t.x0, t.y0, t.x1, t.y1, s.x1, s.y1);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return 'cross';
  if (o1 === 0 && o2 === 0) {
    // Collinear: overlap of positive length along the longer axis is a crossing.
    const useX = Math.abs(s.x1 - s.x0) >= Math.abs(s.y1 - s.y0);
    const [a0, a1] = useX ? [Math.min(s.x0, s.x1), Math.max(s.x0, s.x1)] : [Math.min(s.y0, s.y1), Math.max(s.y0, s.y1)];
    const [b0, b1] = useX ? [Math.min(t.x0, t.x1), Math.max(t.x0, t.x1)] : [Math.min(t.y0, t.y1), Math.max(t.y0, t.y1)];
    const overlap = Math.min(a1, b1) - Math.max(a0, b0);
    return overlap > 0 ? 'cross' : overlap === 0 ? 'touch' : 'none';
  }
  const onSeg = (o: number, px: number, py: number, q: Segment) => o === 0 && px >= q.minX && px <= q.maxX && py >= q.minY && py <= q.maxY;
  if (onSeg(o1, t.x0, t.y0, s) || onSeg(o2, t.x1, t.y1, s) || onSeg(o3, s.x0, s.y0, t) || onSeg(o4, s.x1, s.y1, t)) return 'touch';
  return 'none';
}

function adjacent(s: Segment, t: Segment): boolean {
  if (s.ring !== t.ring) return false;
  const d = Math.abs(s.index - t.index);
  return d === 1 || d === s.ringSegments - 1;
}

/** Even-odd point test against a polygon with holes: 1 inside, 0 on the boundary, -1 outside. */
function locate(x: number, y: number, poly: Polygon): number {
  let inside = false;
  for (const ring of poly) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i];
      const [bx, by] = ring[i + 1];
      if (orient(ax, ay, bx, by, x, y) === 0 && x >= Math.min(ax, bx) && x <= Math.max(ax, bx) && y >= Math.min(ay, by) && y <= Math.max(ay, by)) return 0;
      if (ay > y !== by > y && x < ax + ((y - ay) * (bx - ax)) / (by - ay)) inside = !inside;
    }
  }
  return inside ? 1 : -1;
}

function bboxOf(rings: Ring[]): [number, number, number, number] {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const ring of rings)
    for (const [x, y] of ring) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  return [x0, y0, x1, y1];
}

/**
 * Finds what makes a feature's geometry invalid (OGC rules, as GEOS checks them): rings that cross
 * or touch themselves, parts that cross or contain each other, holes crossing their outer ring.
 * Parts touching at single points are valid. A sweep over x keeps this near-linear.
 */
export function findGeometryProblems(polygons: Polygon[]): GeometryProblem[] {
  const segments: Segment[] = [];
  const selfIntersecting = new Set<number>();
  let ringNo = 0;
  polygons.forEach((poly, part) =>
    poly.forEach((ring, ringInPart) => {
      const n = ring.length - 1;
      for (let i = 0; i < n; i++) {
        const [x0, y0] = ring[i];
        const [x1, y1] = ring[i + 1];
        segments.push({
          x0,
          y0,
          x1,
          y1,
          minX: Math.min(x0, x1),
          maxX: Math.max(x0, x1),
          minY: Math.min(y0, y1),
          maxY: Math.max(y0, y1),
          part,
          ring: ringNo,
          ringInPart,
          index: i,
          ringSegments: n,
        });
      }
      ringNo++;
    }),
  );
  segments.sort((a, b) => a.minX - b.minX);

  const problems = new Set<GeometryProblem>();
  const crossingParts = new Set<string>();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    for (let j = i + 1; j < segments.length && segments[j].minX <= s.maxX; j++) {
      const t = segments[j];
      if (t.minY > s.maxY || t.maxY < s.minY || adjacent(s, t)) continue;
      const c = contact(s, t);
      if (c === 'none') continue;
      if (s.ring === t.ring) {
        problems.add('self-intersecting ring');
        selfIntersecting.add(s.ring);
      } else if (c === 'cross') {
        if (s.part !== t.part) {
          problems.add('overlapping parts');
          crossingParts.add(`${Math.min(s.part, t.part)},${Math.max(s.part, t.part)}`);
        } else problems.add('hole crossing its outer ring');
      }
    }
  }

  // Parts whose boundaries do not cross may still lie one inside the other.
  const boxes = polygons.map((poly) => bboxOf([poly[0]]));
  for (let a = 0; a < polygons.length; a++) {
    for (let b = 0; b < polygons.length; b++) {
      if (a === b || crossingParts.has(`${Math.min(a, b)},${Math.max(a, b)}`)) continue;
      const A = boxes[a],
        B = boxes[b];
      if (B[0] < A[0] || B[2] > A[2] || B[1] < A[1] || B[3] > A[3]) continue; // b's box must lie in a's
      // the first vertex of b not on a's boundary tells whether b lies inside a
      for (const [x, y] of polygons[b][0]) {
        const where = locate(x, y, polygons[a]);
        if (where === 1) problems.add('overlapping parts');
        if (where !== 0) break;
      }
    }
  }
  return [...problems];
}

/**
 * Repairs a feature the way GEOS make_valid resolves each problem: a self-crossing ring keeps the
 * area its loops enclose an odd number of times (a bow-tie keeps both lobes, a loop running twice
 * around an area leaves it out); holes are cut from their outer ring; overlapping parts are
 * unioned so their common area counts once. Returns valid, non-overlapping polygons.
 */
export function repairGeometry(polygons: Polygon[]): Polygon[] {
  const parts = polygons.map((poly) => {
    const [shell, ...holes] = poly.map(ringRegion);
    return holes.length > 0 ? polyclip.difference(shell, ...holes) : shell;
  });
  const merged = polyclip.union(parts[0], ...parts.slice(1));
  return orientPolygons(merged as Polygon[]);
}

/** The area a ring encloses an odd number of times, as simple polygons. */
function ringRegion(ring: Ring): polyclip.Geom {
  if (findGeometryProblems([[ring]]).length === 0) return [ring];
  const loops = unkinkPolygon({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }).features.map(
    (f) => f.geometry.coordinates as Ring[],
  );
  // Even-odd: the symmetric difference of the simple loops the ring splits into.
  return polyclip.xor(loops[0], ...loops.slice(1));
}
