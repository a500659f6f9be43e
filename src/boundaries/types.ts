import type { Crs } from '../raster/types.ts';

/** A point [x, y] (lon, lat for geographic CRSs). */
export type Position = [number, number];

/** A closed ring: first point repeated at the end. */
export type Ring = Position[];

/** A polygon: the outer ring first, then its holes. */
export type Polygon = Ring[];

/** One zone (province), its geometry valid and in the target CRS. */
export interface Zone {
  id: string;
  name: string;
  /** Non-overlapping polygons: outer rings counter-clockwise, holes clockwise (y up). */
  geometry: Polygon[];
}

export interface ZoneSet {
  /** Sorted by id. */
  zones: Zone[];
  /** CRS of the boundary file as read (before reprojection). */
  sourceCrs: Crs;
  /** sha256 (hex) of the boundary file's bytes, sidecars included. */
  hash: string;
  /** The path given to loadZones. */
  path: string;
  /** Ids of the zones whose invalid geometry was repaired (a warning each; with `strict`, an error instead). */
  repaired: string[];
}

export interface LoadZonesOptions {
  /** Attribute holding the zone id (default `id`). */
  idField?: string;
  /** Attribute holding the zone name (default: the first of `name`, `NAME`, `地名`, `名称` present; else the id). */
  nameField?: string;
  /** CRS the geometry is reprojected to (the raster grid's). */
  targetCrs: Crs;
  /** Invalid geometry is an error instead of a repaired warning. */
  strict?: boolean;
  /** Receives one-line notices: repaired features, assumed CRS. */
  onWarning?: (message: string) => void;
}
