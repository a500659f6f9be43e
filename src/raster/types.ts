/** Coordinate reference system of a grid or a boundary file. */
export interface Crs {
  /** EPSG code when known (4326 for ODIAC). */
  epsg?: number;
  /** A definition proj4 accepts (proj string or WKT). */
  definition: string;
}

/**
 * An affine north-up grid: cell (row, col) covers
 * x in [originX + col*cellWidth, originX + (col+1)*cellWidth],
 * y in [originY - (row+1)*cellHeight, originY - row*cellHeight].
 */
export interface Grid {
  width: number;
  height: number;
  originX: number;
  originY: number;
  cellWidth: number;
  cellHeight: number;
  crs: Crs;
}

/** A rectangle of cells: rows [row0, row1), cols [col0, col1). */
export interface CellWindow {
  row0: number;
  row1: number;
  col0: number;
  col1: number;
}

/**
 * How far each grid row is needed: row `row0 + i` needs no cell at or right of column
 * `colEnd[i]` (0: none of it); rows outside [row0, row0 + colEnd.length) are not needed.
 */
export interface RowEnds {
  row0: number;
  colEnd: Int32Array;
}

/** A decoded block (strip or tile) clipped to the grid: `data[r * width + c]` is cell (row0 + r, col0 + c). */
export interface RasterBlock {
  row0: number;
  col0: number;
  width: number;
  height: number;
  data: Float32Array | Float64Array;
}

/**
 * Folds decoded blocks into a small result where they are decoded (on a decode worker), so the
 * decoded data never crosses threads. `take` returns the result of the blocks added since the
 * last `take` and starts afresh: the reader calls it once per batch of blocks.
 */
export interface BlockReducer<R> {
  /** `block.data` is only valid during the call (its memory is reused for the next block). */
  add(block: RasterBlock): void;
  take(): R;
}

/**
 * Names a reducer that worker threads can create: `module` is the URL of an ES module exporting
 * `createBlockReducer(init)`; `init` must survive structured cloning (typed arrays clone fast,
 * large graphs of small objects do not).
 */
export interface BlockReduction<I> {
  module: string;
  init: I;
}

/** The shape of a module named by BlockReduction.module. */
export interface BlockReducerModule<I, R> {
  createBlockReducer(init: I): BlockReducer<R>;
}

/**
 * A gzipped TIFF that is not a file of its own (e.g. an entry of a zip archive): `open` gives
 * its gzip bytes as a stream, read once front to back; `name` labels messages.
 */
export interface GzipStreamRaster {
  name: string;
  open(): Promise<import('node:stream').Readable>;
}

/** What the raster reader reads: a .tif or .tif.gz path, or a gzip stream. */
export type RasterInput = string | GzipStreamRaster;
