/**
 * GeoTIFF georeferencing -> an affine north-up Grid and a Crs. Anything cger cannot place on
 * the map exactly (rotation/shear, ground control points, user-defined or unknown CRS, no
 * georeferencing) is refused with a CgerError rather than guessed.
 */

import { CgerError } from '../common/errors.ts';
import { proj4 } from '../common/proj4.ts';
import type { Crs, Grid } from './types.ts';

/** The georeferencing tags of one image, as read from the IFD. */
export interface GeoTags {
  width: number;
  height: number;
  modelPixelScale?: number[];
  modelTiepoint?: number[];
  modelTransformation?: number[];
  geoKeyDirectory?: number[];
  geoDoubleParams?: number[];
  geoAsciiParams?: string;
}

export interface Georeference {
  grid: Grid;
  /** GTRasterTypeGeoKey = PixelIsPoint: the tie point was a cell centre; the grid is shifted by half a cell so it always describes cell edges. */
  pixelIsPoint: boolean;
}

const WGS84_LONLAT = '+proj=longlat +datum=WGS84 +no_defs';
const USER_DEFINED = 32767;

/** Parses the GeoKeyDirectory into key id -> value (number, numbers or string). */
export function parseGeoKeys(tags: GeoTags): Map<number, number | number[] | string> {
  const keys = new Map<number, number | number[] | string>();
  const dir = tags.geoKeyDirectory;
  if (!dir || dir.length < 4) return keys;
  const count = dir[3];
  for (let i = 0; i < count && 4 + 4 * i + 3 < dir.length; i++) {
    const [id, location, n, valueOffset] = dir.slice(4 + 4 * i, 8 + 4 * i);
    if (location === 0) keys.set(id, valueOffset);
    else if (location === 34736 && tags.geoDoubleParams) {
      const values = tags.geoDoubleParams.slice(valueOffset, valueOffset + n);
      keys.set(id, n === 1 ? values[0] : values);
    } else if (location === 34737 && tags.geoAsciiParams) {
      keys.set(id, tags.geoAsciiParams.slice(valueOffset, valueOffset + n).replace(/\|$/, ''));
    } else if (location === 34735) {
      keys.set(id, dir.slice(valueOffset, valueOffset + n));
    }
  }
  return keys;
}

/** proj4 definition for an EPSG code, or null when neither proj4 nor cger knows it. */
export function crsForEpsg(epsg: number): Crs | null {
  if (epsg === 4326) return { epsg, definition: WGS84_LONLAT };
  if (epsg === 4490) return { epsg, definition: '+proj=longlat +ellps=GRS80 +no_defs' }; // CGCS2000
  if (epsg >= 32601 && epsg <= 32660) return { epsg, definition: `+proj=utm +zone=${epsg - 32600} +datum=WGS84 +units=m +no_defs` };
  if (epsg >= 32701 && epsg <= 32760) return { epsg, definition: `+proj=utm +zone=${epsg - 32700} +south +datum=WGS84 +units=m +no_defs` };
  if (proj4().defs(`EPSG:${epsg}`)) return { epsg, definition: `EPSG:${epsg}` };
  return null;
}

function readCrs(keys: Map<number, number | number[] | string>, path: string): Crs {
  const modelType = keys.get(1024);
  let code: number | undefined;
  if (modelType === 2) {
    code = keys.get(2048) as number | undefined;
    const angular = keys.get(2054);
    if (angular !== undefined && angular !== 9102) {
      throw new CgerError(`${path}: geographic CRS with angular unit ${angular}, not degrees (9102)`);
    }
  } else if (modelType === 1) {
    code = keys.get(3072) as number | undefined;
  } else if (modelType === undefined) {
    throw new CgerError(`${path}: no CRS (GeoKey GTModelTypeGeoKey missing)`);
  } else {
    throw new CgerError(`${path}: unsupported model type ${modelType} (only geographic and projected CRSs)`);
  }
  if (code === undefined || typeof code !== 'number') {
    throw new CgerError(`${path}: CRS has no EPSG code; reproject to a CRS with one (e.g. EPSG:4326)`);
  }
  if (code === USER_DEFINED) {
    throw new CgerError(`${path}: user-defined CRS is not supported; reproject to a CRS with an EPSG code (e.g. EPSG:4326)`);
  }
  const crs = crsForEpsg(code);
  if (!crs) throw new CgerError(`${path}: EPSG:${code} is not known to proj4; reproject to a known CRS (e.g. EPSG:4326)`);
  return crs;
}

/** The grid and CRS of a GeoTIFF image. */
export function readGeoreference(tags: GeoTags, path: string): Georeference {
  const keys = parseGeoKeys(tags);
  const crs = readCrs(keys, path);
  const pixelIsPoint = keys.get(1025) === 2;
  let originX: number, originY: number, cellWidth: number, cellHeight: number;
  const t = tags.modelTransformation;
  const scale = tags.modelPixelScale;
  const tie = tags.modelTiepoint;
  if (t && t.length >= 16) {
    if (t[1] !== 0 || t[4] !== 0) throw new CgerError(`${path}: rotated or sheared grid (ModelTransformation) is not supported`);
    [cellWidth, cellHeight, originX, originY] = [t[0], -t[5], t[3], t[7]];
  } else if (scale && tie && tie.length >= 6) {
    if (tie.length > 6) throw new CgerError(`${path}: grid given by ${tie.length / 6} ground control points, not an affine transform`);
    [cellWidth, cellHeight] = [scale[0], scale[1]];
    originX = tie[3] - tie[0] * cellWidth;
    originY = tie[4] + tie[1] * cellHeight;
  } else {
    throw new CgerError(`${path}: no georeferencing (ModelTiepoint + ModelPixelScale or ModelTransformation)`);
  }
  const finite = [cellWidth, cellHeight, originX, originY, originX + tags.width * cellWidth, originY - tags.height * cellHeight].every(Number.isFinite);
  if (!(cellWidth > 0) || !(cellHeight > 0) || !finite) {
    throw new CgerError(`${path}: grid is not north-up with positive cell size (cell ${cellWidth} x ${cellHeight})`);
  }
  if (pixelIsPoint) {
    originX -= cellWidth / 2;
    originY += cellHeight / 2;
  }
  return { grid: { width: tags.width, height: tags.height, originX, originY, cellWidth, cellHeight, crs }, pixelIsPoint };
}
