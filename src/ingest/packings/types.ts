import type { RasterInput } from '../../raster/index.ts';

/** A month as its year's checksum list names it: the monthly file and its md5. */
export interface ListedMonth {
  release: string;
  year: number;
  month: number;
  /** The monthly file's name (`odiac<REL>_1km_excl_intl_<YYMM>.tif[.gz]`). */
  name: string;
  md5: string;
}

/** A month found in its holder and checked against the checksum list, ready to be summed. */
export interface OpenedMonth {
  raster: RasterInput;
  /** Bytes the checksum covers. */
  size: number;
  verifyMs: number;
  /** Frees what reading the month needed (an open archive); call once the month is summed. */
  close(): Promise<void>;
}

/**
 * The holder does not deliver the month intact (md5, CRC, a damaged archive): another packing of
 * the same month may still verify. `md5Actual` is set when the bytes were read but differ.
 */
export class MonthVerifyError extends Error {
  constructor(
    message: string,
    readonly md5Actual: string | null = null,
  ) {
    super(message);
  }
}

/**
 * How a month is packed at the source: which file of the year folder holds it, and how to check
 * and read it there. One file per packing in this folder, listed in registry.ts.
 */
export interface MonthPacking {
  readonly kind: string;
  /** Name of the year-folder file holding `month`, or null when this packing cannot hold it. */
  holder(month: ListedMonth): string | null;
  /** Checks the month inside the local copy of its holder (throws MonthVerifyError) and opens it for summing. */
  open(localPath: string, month: ListedMonth): Promise<OpenedMonth>;
}
