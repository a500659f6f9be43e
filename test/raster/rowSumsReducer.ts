/** A block reducer for tests: per delivered row, its grid row and the sum of its cells, in delivery order. */
import type { BlockReducer } from '../../src/raster/types.ts';

export const ROW_SUMS_MODULE = import.meta.url;

export function createBlockReducer(): BlockReducer<Float64Array> {
  let log: number[] = [];
  return {
    add({ data, width, height, row0, col0 }) {
      for (let r = 0; r < height; r++) {
        let sum = 0;
        for (let c = 0; c < width; c++) sum += data[r * width + c];
        log.push(row0 + r, col0, sum);
      }
    },
    take() {
      const out = Float64Array.from(log);
      log = [];
      return out;
    },
  };
}
