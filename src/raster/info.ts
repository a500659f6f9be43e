/** What the reader tells about a raster from its header alone. */
import type { ParsedTiff } from './header.ts';
import type { Grid } from './types.ts';

export interface RasterInfo {
  path: string;
  grid: Grid;
  /** GDAL nodata value (tag 42113); NaN when the file says "nan"; null when absent. */
  nodata: number | null;
  sampleFormat: 'float' | 'int' | 'uint';
  bitsPerSample: number;
  /** The file declared PixelIsPoint; `grid` is already shifted to cell edges. */
  pixelIsPoint: boolean;
  layout: {
    kind: 'strips' | 'tiles';
    blockWidth: number;
    blockHeight: number;
    compression: number;
    predictor: number;
    bigTiff: boolean;
    gzipped: boolean;
  };
}

export function toInfo(path: string, parsed: ParsedTiff, gzipped: boolean): RasterInfo {
  const { layout } = parsed;
  const { format } = layout;
  return {
    path,
    grid: parsed.grid,
    nodata: parsed.nodata,
    sampleFormat: format.sampleFormat === 3 ? 'float' : format.sampleFormat === 2 ? 'int' : 'uint',
    bitsPerSample: format.bitsPerSample,
    pixelIsPoint: parsed.pixelIsPoint,
    layout: {
      kind: layout.kind,
      blockWidth: layout.blockWidth,
      blockHeight: layout.blockHeight,
      compression: format.compression,
      predictor: format.predictor,
      bigTiff: layout.bigTiff,
      gzipped,
    },
  };
}
