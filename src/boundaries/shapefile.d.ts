// Minimal typings for the parts of `shapefile` (0.6) that cger uses.
declare module 'shapefile' {
  export interface ShapefileSource {
    bbox: number[];
    read(): Promise<{ done: boolean; value: GeoJsonFeature }>;
  }
  export interface GeoJsonFeature {
    type: 'Feature';
    properties: Record<string, unknown>;
    geometry: { type: string; coordinates: unknown } | null;
  }
  export function open(
    shp: string | Uint8Array | ArrayBuffer,
    dbf?: string | Uint8Array | ArrayBuffer,
    options?: { encoding?: string },
  ): Promise<ShapefileSource>;
}
