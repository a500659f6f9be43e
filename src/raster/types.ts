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

/** A decoded block (strip or tile) clipped to the grid: `data[r * width + c]` is cell (row0 + r, col0 + c). */
export interface RasterBlock {
  row0: number;
  col0: number;
  width: number;
  height: number;
  data: Float32Array | Float64Array;
}
