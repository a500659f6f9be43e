import { CgerError, errorMessage } from '../common/errors.ts';
import { type RawBoundaries, readBoundaries, WGS84 } from './read.ts';

export { hashBoundaries } from './read.ts';

import { reprojectPolygons } from './reproject.ts';
import type { LoadZonesOptions, Zone, ZoneSet } from './types.ts';
import { findGeometryProblems, orientPolygons, repairGeometry } from './validity.ts';

export type { LoadZonesOptions, Polygon, Position, Ring, Zone, ZoneSet } from './types.ts';
export { findGeometryProblems, repairGeometry } from './validity.ts';

/** Name fields tried in order when none is given. */
const NAME_FIELDS = ['name', 'NAME', 'Name', '地名', '名称'];

/** The --name-field rule, for every command that reads boundaries: the field given, else the first of NAME_FIELDS present (else none: names are the ids). */
export function resolveNameField(fields: string[], given?: string): string | undefined {
  return given ?? NAME_FIELDS.find((f) => fields.includes(f));
}

/** Help text of the name-field option, stating that rule. */
export const NAME_FIELD_HELP = `attribute holding the zone name (default: the first of ${NAME_FIELDS.join(', ')} present, else the id)`;

/**
 * Loads zones (provinces) from a GeoJSON file or an ESRI shapefile (file or directory), checks and
 * repairs their geometry, and reprojects it to `targetCrs`. Zones come back sorted by id.
 */
export async function loadZones(path: string, options: LoadZonesOptions): Promise<ZoneSet> {
  const warn = options.onWarning ?? (() => {});
  const raw = await readBoundaries(path);
  if (raw.features.length === 0) throw new CgerError(`boundary file ${path} has no features`);
  const idField = options.idField ?? 'id';
  const nameField = resolveNameField(raw.fields, options.nameField);
  for (const field of [idField, options.nameField]) {
    if (field !== undefined && !raw.fields.includes(field)) {
      throw new CgerError(`boundary file ${path} has no field "${field}" (fields: ${raw.fields.join(', ') || 'none'})`);
    }
  }

  const sourceCrs = raw.crs ?? assumeLonLat(raw, path, warn);
  const seen = new Map<string, number>();
  const invalid: string[] = [];
  const entries = raw.features.map((feature) => {
    const idValue = feature.properties[idField];
    if (idValue === null || idValue === undefined || String(idValue).trim() === '') {
      throw new CgerError(`boundary file ${path}: feature ${feature.number} has no value in id field "${idField}"`);
    }
    const id = String(idValue).trim();
    const first = seen.get(id);
    if (first !== undefined) throw new CgerError(`boundary file ${path}: duplicate id ${id} (features ${first} and ${feature.number})`);
    seen.set(id, feature.number);
    const nameValue = nameField === undefined ? null : feature.properties[nameField];
    const name = nameValue === null || nameValue === undefined ? id : String(nameValue).trim();

    let polygons = feature.polygons;
    const problems = findGeometryProblems(polygons);
    if (problems.length > 0) {
      invalid.push(`${id} (${problems.join(', ')})`);
      if (!options.strict) {
        try {
          polygons = repairGeometry(polygons);
        } catch (err) {
          throw new CgerError(`boundary file ${path}: zone ${id} has ${problems.join(', ')} that cannot be repaired (${errorMessage(err).slice(0, 200)})`);
        }
        warn(`zone ${id}: ${problems.join(', ')} (repaired)`);
      }
    }
    return { id, name, polygons: orientPolygons(polygons), repaired: problems.length > 0 };
  });
  if (options.strict && invalid.length > 0) {
    throw new CgerError(`boundary file ${path}: invalid geometry in ${invalid.length} feature(s): ${invalid.join('; ')}`);
  }

  const projected = reprojectPolygons(
    entries.map((e) => e.polygons),
    sourceCrs,
    options.targetCrs,
    `boundary file ${path}`,
  );
  const zones: Zone[] = entries.map((e, i) => ({ id: e.id, name: e.name, geometry: orientPolygons(projected[i]) }));
  zones.sort((a, b) => compareIds(a.id, b.id));
  return { zones, sourceCrs, hash: raw.hash, path, repaired: entries.filter((e) => e.repaired).map((e) => e.id) };
}

/** Numeric ids (GB/T 2260 codes) in numeric order, others after them in code-point order. */
function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  if (Number.isNaN(na) !== Number.isNaN(nb)) return Number.isNaN(na) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A file that does not name its CRS (GeoJSON without `crs`, shapefile without .prj) is taken as
 * WGS84 longitude/latitude only when every coordinate fits it; a shapefile says so in a warning.
 */
function assumeLonLat(raw: RawBoundaries, path: string, warn: (m: string) => void) {
  for (const f of raw.features)
    for (const poly of f.polygons)
      for (const ring of poly)
        for (const [x, y] of ring) {
          if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90)) {
            const declared = raw.format === 'geojson' ? 'no "crs" member' : 'no .prj';
            throw new CgerError(
              `boundary file ${path} has ${declared} and its coordinates (e.g. ${x}, ${y}) are not longitude/latitude: coordinates look projected: declare the CRS or add the .prj`,
            );
          }
        }
  if (raw.format === 'shapefile') warn(`boundary file ${path} has no .prj: assuming WGS84 longitude/latitude (EPSG:4326), as every coordinate is in range`);
  return WGS84;
}
