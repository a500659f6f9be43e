import { createRequire } from 'node:module';
import type proj4Type from 'proj4';

let loaded: typeof proj4Type | undefined;

/**
 * proj4, loaded on first use (~80 ms): ODIAC grids and GeoJSON boundaries are WGS84 lon/lat,
 * which cger recognises without it, so most runs never need it.
 */
export function proj4(): typeof proj4Type {
  loaded ??= createRequire(import.meta.url)('proj4') as typeof proj4Type;
  return loaded;
}
