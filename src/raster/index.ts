/** Raster stage API: reading GeoTIFF grids (.tif, .tif.gz) block by block, and ODIAC conventions. */
export type { Crs, Grid, CellWindow, RasterBlock, RowEnds, GzipStreamRaster, RasterInput } from './types.ts';
export { readRasterInfo, readBlocks, reduceBlocks, warmUpDecoders, warmUpDecodersFor, type RasterInfo, type ReadOptions } from './read.ts';
export { parseOdiacName, isOdiacLattice, checkOdiacLattice, odiacLatticeProblem, ODIAC_CELL, type OdiacName } from './odiac.ts';
