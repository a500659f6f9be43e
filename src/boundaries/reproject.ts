import { CgerError } from '../common/errors.ts';
import { proj4 } from '../common/proj4.ts';
import type { Crs } from '../raster/types.ts';
import type { Polygon } from './types.ts';

/** True for WGS84 longitude/latitude, given as EPSG:4326 or as a GEOGCS WKT on the WGS84 datum. */
function isWgs84LonLat(crs: Crs): boolean {
  if (crs.epsg === 4326) return true;
  const def = crs.definition.trim();
  if (/^EPSG:4326$/i.test(def)) return true;
  return /^GEOGCS\[/i.test(def) && /DATUM\[\s*"(D_)?WGS_?(19)?84"/i.test(def);
}

function proj4Definition(crs: Crs): string {
  return crs.epsg !== undefined && proj4().defs(`EPSG:${crs.epsg}`) ? `EPSG:${crs.epsg}` : crs.definition;
}

/**
 * Reprojects polygon vertices from one CRS to another (vertices only, no densification: what GDAL
 * and exactextract do). Identity when both are WGS84 lon/lat, so such coordinates stay bit-exact.
 */
export function reprojectPolygons(polygons: Polygon[][], from: Crs, to: Crs, where: string): Polygon[][] {
  if (isWgs84LonLat(from) && isWgs84LonLat(to)) return polygons;
  if (from.definition === to.definition) return polygons;
  let forward: (p: number[]) => number[];
  try {
    forward = proj4()(proj4Definition(from), proj4Definition(to)).forward;
  } catch (err) {
    throw new CgerError(`${where}: cannot reproject from "${from.definition.slice(0, 80)}" to "${to.definition.slice(0, 80)}": ${(err as Error).message}`);
  }
  return polygons.map((polys) =>
    polys.map((poly) =>
      poly.map((ring) =>
        ring.map((p) => {
          const [x, y] = forward([p[0], p[1]]);
          if (!Number.isFinite(x) || !Number.isFinite(y)) throw new CgerError(`${where}: point (${p[0]}, ${p[1]}) cannot be reprojected to the grid's CRS`);
          return [x, y] as [number, number];
        }),
      ),
    ),
  );
}
