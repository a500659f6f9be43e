import { openMonthFile } from './monthFile.ts';
import type { MonthPacking } from './types.ts';

/** A monthly GeoTIFF gzipped as a whole, `...<YYMM>.tif.gz` (the raster reader streams the gzip). */
export const tifGzPacking: MonthPacking = {
  kind: 'tif.gz',
  holder: (month) => (month.name.endsWith('.tif.gz') ? month.name : null),
  open: openMonthFile,
};
