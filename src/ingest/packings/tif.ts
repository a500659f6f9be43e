import { openMonthFile } from './monthFile.ts';
import type { MonthPacking } from './types.ts';

/** A monthly uncompressed (or internally compressed) GeoTIFF, `...<YYMM>.tif`. */
export const tifPacking: MonthPacking = {
  kind: 'tif',
  holder: (month) => (month.name.endsWith('.tif') ? month.name : null),
  open: openMonthFile,
};
