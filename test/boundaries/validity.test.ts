import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findGeometryProblems, type Polygon, repairGeometry } from '../../src/boundaries/index.ts';

const ring = (...pts: [number, number][]): [number, number][] => [...pts, pts[0]];

/** Area of valid polygons (outer rings minus holes), by the shoelace formula. */
function area(polys: Polygon[]): number {
  let total = 0;
  for (const poly of polys) {
    poly.forEach((r, k) => {
      let a = 0;
      for (let i = 0; i + 1 < r.length; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
      total += ((k === 0 ? 1 : -1) * Math.abs(a)) / 2;
    });
  }
  return total;
}

test('valid shapes have no problems: polygon with a hole, parts touching at a corner, island in a hole', () => {
  const withHole: Polygon = [ring([0, 0], [4, 0], [4, 4], [0, 4]), ring([1, 1], [1, 2], [2, 2], [2, 1])];
  assert.deepEqual(findGeometryProblems([withHole]), []);
  assert.deepEqual(findGeometryProblems([[ring([0, 0], [1, 0], [1, 1], [0, 1])], [ring([1, 1], [2, 1], [2, 2], [1, 2])]]), []);
  const island: Polygon = [ring([1.2, 1.2], [1.8, 1.2], [1.8, 1.8], [1.2, 1.8])];
  assert.deepEqual(findGeometryProblems([withHole, island]), []);
});

test('bow-tie ring: found and repaired into both lobes', () => {
  // crossing at (1, 1): two triangles of area 1 each (the signed area would be 0)
  const bowtie: Polygon[] = [[ring([0, 0], [2, 2], [2, 0], [0, 2])]];
  assert.deepEqual(findGeometryProblems(bowtie), ['self-intersecting ring']);
  const repaired = repairGeometry(bowtie);
  assert.deepEqual(findGeometryProblems(repaired), []);
  assert.ok(Math.abs(area(repaired) - 2) < 1e-12, `area ${area(repaired)}`);
});

test('a ring looping twice around an area leaves that area out (even-odd, as GEOS make_valid)', () => {
  // square 4 x 4 with a notch [1,2]x[3,4] cut out and an inner loop [2,3]x[1,3] run around twice
  const looped: Polygon[] = [[ring([0, 0], [4, 0], [4, 4], [2, 4], [2, 1], [3, 1], [3, 3], [1, 3], [1, 4], [0, 4])]];
  assert.deepEqual(findGeometryProblems(looped), ['self-intersecting ring']);
  const repaired = repairGeometry(looped);
  assert.deepEqual(findGeometryProblems(repaired), []);
  assert.ok(Math.abs(area(repaired) - (16 - 1 - 2)) < 1e-12, `area ${area(repaired)}`);
});

test('overlapping parts, crossing or nested, are unioned so the overlap counts once', () => {
  const crossing: Polygon[] = [[ring([0, 0], [2, 0], [2, 2], [0, 2])], [ring([1, 1], [3, 1], [3, 3], [1, 3])]];
  assert.deepEqual(findGeometryProblems(crossing), ['overlapping parts']);
  assert.ok(Math.abs(area(repairGeometry(crossing)) - 7) < 1e-12);

  const nested: Polygon[] = [[ring([0, 0], [4, 0], [4, 4], [0, 4])], [ring([1, 1], [2, 1], [2, 2], [1, 2])]];
  assert.deepEqual(findGeometryProblems(nested), ['overlapping parts']);
  const repaired = repairGeometry(nested);
  assert.equal(repaired.length, 1);
  assert.ok(Math.abs(area(repaired) - 16) < 1e-12);
});

test('a hole crossing its outer ring is cut from it', () => {
  const poly: Polygon[] = [[ring([0, 0], [4, 0], [4, 4], [0, 4]), ring([3, 1], [5, 1], [5, 2], [3, 2])]];
  assert.deepEqual(findGeometryProblems(poly), ['hole crossing its outer ring']);
  const repaired = repairGeometry(poly);
  assert.deepEqual(findGeometryProblems(repaired), []);
  assert.ok(Math.abs(area(repaired) - 15) < 1e-12);
});
