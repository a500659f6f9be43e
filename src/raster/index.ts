/** Raster stage API: reading GeoTIFF grids (.tif, .tif.gz) block by block. */

export { type RasterInfo, type ReadOptions, readBlocks, readRasterInfo, reduceBlocks, warmUpDecoders, warmUpDecodersFor } from './read.ts';
export type { CellWindow, Crs, Grid, GzipStreamRaster, RasterBlock, RasterInput, RowEnds } from './types.ts';
