import { tifPacking } from './tif.ts';
import { tifGzPacking } from './tifGz.ts';
import type { MonthPacking } from './types.ts';
import { yearZipPacking } from './yearZip.ts';

export type { ListedMonth, MonthPacking, OpenedMonth } from './types.ts';
export { MonthVerifyError } from './types.ts';

/** Every packing a month may come in, in the order they are tried: a month's own file before its year's archive. */
export const PACKINGS: readonly MonthPacking[] = [tifPacking, tifGzPacking, yearZipPacking];
