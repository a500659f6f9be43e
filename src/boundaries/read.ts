import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type * as shapefile from 'shapefile';
import { CgerError } from '../common/errors.ts';
import type { Crs } from '../raster/types.ts';
import type { Polygon, Position, Ring } from './types.ts';

/** A feature as read from the file, geometry still in the source CRS and not yet checked. */
export interface RawFeature {
  /** 1-based position in the file, for messages. */
  number: number;
  properties: Record<string, unknown>;
  polygons: Polygon[];
}

export interface RawBoundaries {
  features: RawFeature[];
  /** Attribute names in file order. */
  fields: string[];
  /** null: the file does not say (shapefile without .prj, GeoJSON without a `crs` member). */
  crs: Crs | null;
  /** What the file is: says how a missing CRS is declared. */
  format: 'geojson' | 'shapefile';
  /** sha256 over the file and its sidecars. */
  hash: string;
}

export const WGS84: Crs = { epsg: 4326, definition: 'EPSG:4326' };

/** The file to read for `path`: a GeoJSON file, a `.shp`, or the one `.shp` of a directory. */
function boundaryFile(path: string): { kind: 'geojson' | 'shapefile'; file: string } {
  if (!existsSync(path)) throw new CgerError(`boundary file ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const shps = readdirSync(path).filter((f) => extname(f).toLowerCase() === '.shp');
    if (shps.length !== 1) {
      throw new CgerError(`boundary directory ${path} must hold exactly one .shp file (found ${shps.length})`);
    }
    return { kind: 'shapefile', file: join(path, shps[0]) };
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.shp') return { kind: 'shapefile', file: path };
  if (ext === '.geojson' || ext === '.json') return { kind: 'geojson', file: path };
  throw new CgerError(`boundary file ${path}: unsupported type "${ext}" (use .geojson, .json or .shp)`);
}

/** Reads a GeoJSON file, a `.shp` (with sidecars) or a directory holding exactly one `.shp`. */
export async function readBoundaries(path: string): Promise<RawBoundaries> {
  const { kind, file } = boundaryFile(path);
  return kind === 'shapefile' ? readShapefile(file) : readGeoJson(file);
}

/** The `hash` readBoundaries would give, without parsing the file. */
export function hashBoundaries(path: string): string {
  const { kind, file } = boundaryFile(path);
  return kind === 'shapefile' ? shapefileHash(readParts(file)) : geoJsonHash(readFileSync(file));
}

const SHAPEFILE_PARTS = ['.shp', '.shx', '.dbf', '.prj', '.cpg'];

/**
 * sha256 over a shapefile's parts present, in the order of SHAPEFILE_PARTS, each preceded by its
 * extension and length (so moving bytes between parts changes the hash).
 */
function shapefileHash(parts: Map<string, Uint8Array>): string {
  const hash = createHash('sha256');
  for (const ext of SHAPEFILE_PARTS) {
    const bytes = parts.get(ext);
    if (!bytes) continue;
    hash.update(`${ext}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// GeoJSON

/** sha256 of a GeoJSON file's bytes. */
function geoJsonHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readGeoJson(path: string): Promise<RawBoundaries> {
  const bytes = readFileSync(path);
  let doc: any;
  try {
    doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CgerError(`boundary file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const items: any[] = doc?.type === 'FeatureCollection' ? doc.features : doc?.type === 'Feature' ? [doc] : null;
  if (!Array.isArray(items)) throw new CgerError(`boundary file ${path} is not a GeoJSON FeatureCollection or Feature`);
  const fields: string[] = [];
  const seen = new Set<string>();
  const features = items.map((item, i): RawFeature => {
    const number = i + 1;
    const properties: Record<string, unknown> = { ...(item?.properties ?? {}) };
    // A top-level feature id serves as the `id` field when the properties have none.
    if (properties.id === undefined && item?.id !== undefined) properties.id = item.id;
    for (const key of Object.keys(properties))
      if (!seen.has(key)) {
        seen.add(key);
        fields.push(key);
      }
    return { number, properties, polygons: geoJsonPolygons(item?.geometry, `${path}: feature ${number}`) };
  });
  // sha256 of the file itself, so users can check it with sha256sum
  return { features, fields, crs: geoJsonCrs(doc, path), format: 'geojson', hash: geoJsonHash(bytes) };
}

/**
 * The legacy `crs` member, when present, may name an EPSG code; without it (RFC 7946) the file
 * should be WGS84 lon/lat, which the caller checks against the coordinates.
 */
function geoJsonCrs(doc: any, path: string): Crs | null {
  if (doc?.crs === undefined || doc?.crs === null) return null;
  const name: unknown = doc.crs.properties?.name;
  if (typeof name !== 'string')
    throw new CgerError(`boundary file ${path}: unreadable "crs" member (expected {"type": "name", "properties": {"name": "EPSG:<code>"}})`);
  if (/CRS84$/i.test(name)) return WGS84;
  const m = /EPSG:(?::|[\d.]*:)?(\d+)$/i.exec(name);
  if (!m) throw new CgerError(`boundary file ${path}: unrecognised crs "${name}" (expected an EPSG code or CRS84)`);
  const epsg = Number(m[1]);
  return epsg === 4326 ? WGS84 : { epsg, definition: `EPSG:${epsg}` };
}

/** GeometryCollections nest at most this deep (a hostile file could nest them past the stack). */
const MAX_NESTING = 16;

function geoJsonPolygons(geometry: any, where: string, depth = 0): Polygon[] {
  if (!geometry) throw new CgerError(`${where} has no geometry`);
  if (depth > MAX_NESTING) throw new CgerError(`${where}: GeometryCollections nested more than ${MAX_NESTING} deep`);
  switch (geometry.type) {
    case 'Polygon':
      return [checkPolygon(geometry.coordinates, where)];
    case 'MultiPolygon':
      if (!Array.isArray(geometry.coordinates)) throw new CgerError(`${where}: MultiPolygon without coordinates`);
      return geometry.coordinates.map((p: unknown) => checkPolygon(p, where));
    case 'GeometryCollection':
      if (!Array.isArray(geometry.geometries)) throw new CgerError(`${where}: GeometryCollection without geometries`);
      return geometry.geometries.flatMap((g: unknown) => geoJsonPolygons(g, where, depth + 1));
    default:
      throw new CgerError(`${where}: geometry type ${geometry.type} is not a polygon`);
  }
}

function checkPolygon(rings: unknown, where: string): Polygon {
  if (!Array.isArray(rings) || rings.length === 0) throw new CgerError(`${where}: polygon without rings`);
  return rings.map((ring, k) => {
    if (!Array.isArray(ring)) throw new CgerError(`${where}: ring ${k + 1} is not an array of positions`);
    const out: Ring = [];
    for (const p of ring) {
      if (!Array.isArray(p) || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw new CgerError(`${where}: ring ${k + 1} has an invalid position ${JSON.stringify(p)}`);
      }
      out.push([p[0], p[1]]);
    }
    return closeRing(out, where, k);
  });
}

/** Closes an unclosed ring and drops repeated points; rings need 3 distinct points. */
function closeRing(ring: Ring, where: string, k: number): Ring {
  const out: Ring = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (out.length > 1 && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]] as Position);
  if (out.length < 4) throw new CgerError(`${where}: ring ${k + 1} has fewer than 3 distinct points`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// ESRI shapefile

/** The shapefile's parts by lower-case extension, found case-insensitively next to the .shp. */
function readParts(shpPath: string): Map<string, Uint8Array> {
  const dir = dirname(shpPath);
  const stem = basename(shpPath, extname(shpPath)).toLowerCase();
  const found = new Map<string, Uint8Array>();
  for (const f of readdirSync(dir)) {
    const ext = extname(f).toLowerCase();
    if (basename(f, extname(f)).toLowerCase() === stem && SHAPEFILE_PARTS.includes(ext)) {
      found.set(ext, new Uint8Array(readFileSync(join(dir, f))));
    }
  }
  return found;
}

/** Maps a .cpg text (or a DBF language driver id) to a WHATWG encoding label. */
function encodingLabel(cpg: string, path: string): string {
  const text = cpg.trim().toLowerCase();
  const codePages: Record<string, string> = {
    '65001': 'utf-8',
    '936': 'gbk',
    cp936: 'gbk',
    'ansi 936': 'gbk',
    '54936': 'gb18030',
    '950': 'big5',
    cp950: 'big5',
    '1252': 'windows-1252',
    'ansi 1252': 'windows-1252',
    '88591': 'iso-8859-1',
    '932': 'shift_jis',
    '949': 'euc-kr',
  };
  const label = codePages[text] ?? text;
  try {
    new TextDecoder(label);
  } catch {
    throw new CgerError(`${path}: unknown encoding "${cpg.trim()}"`);
  }
  return label;
}

/** DBF language driver ids (byte 29) for the encodings common in Chinese data. */
const LANGUAGE_DRIVERS: Record<number, string> = { 77: 'gbk', 122: 'gbk', 87: 'windows-1252', 3: 'windows-1252' };

async function readShapefile(shpPath: string): Promise<RawBoundaries> {
  const parts = readParts(shpPath);
  const shp = parts.get('.shp')!;
  const dbf = parts.get('.dbf');
  if (!dbf) throw new CgerError(`${shpPath}: the .dbf file with the attributes is missing`);
  const cpg = parts.get('.cpg');
  const prj = parts.get('.prj');

  let encoding: string;
  if (cpg) encoding = encodingLabel(new TextDecoder().decode(cpg), shpPath.replace(/\.shp$/i, '.cpg'));
  else if (LANGUAGE_DRIVERS[dbf[29]]) encoding = LANGUAGE_DRIVERS[dbf[29]];
  else encoding = isUtf8(dbf) ? 'utf-8' : 'windows-1252';

  let source: shapefile.ShapefileSource;
  try {
    // Loaded here, not at start-up: most runs read GeoJSON.
    const { open } = await import('shapefile');
    source = await open(shp, dbf, { encoding });
  } catch (err) {
    throw new CgerError(`${shpPath}: cannot read shapefile: ${(err as Error).message}`);
  }
  const features: RawFeature[] = [];
  const fields: string[] = [];
  for (let number = 1; ; number++) {
    let result: Awaited<ReturnType<shapefile.ShapefileSource['read']>>;
    try {
      result = await source.read();
    } catch (err) {
      throw new CgerError(`${shpPath}: record ${number} cannot be read: ${(err as Error).message}`);
    }
    if (result.done) break;
    const { properties, geometry } = result.value;
    if (properties === null || typeof properties !== 'object') {
      throw new CgerError(`${shpPath}: record ${number} has no attributes in the .dbf (is the .dbf cut short or damaged?)`);
    }
    if (number === 1) fields.push(...Object.keys(properties));
    features.push({ number, properties, polygons: geoJsonPolygons(geometry, `${shpPath}: record ${number}`) });
  }

  const crs = prj ? { definition: new TextDecoder().decode(prj).trim() } : null;
  return { features, fields, crs, format: 'shapefile', hash: shapefileHash(parts) };
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
