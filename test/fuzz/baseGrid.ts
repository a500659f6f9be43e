/** The grid of the fuzz test's base rasters: a small window of the ODIAC 1 km lattice. */
export const BASE_GRID = { width: 40, height: 30, originX: 116.3, originY: 40, cell: 1 / 120 };
