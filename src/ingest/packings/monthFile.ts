import { statSync } from 'node:fs';
import { md5File } from '../layout.ts';
import { type ListedMonth, MonthVerifyError, type OpenedMonth } from './types.ts';

/** A month that is a file of its own: its md5 is checked, then the raster reader reads the file. */
export async function openMonthFile(localPath: string, month: ListedMonth): Promise<OpenedMonth> {
  const t0 = performance.now();
  const actual = await md5File(localPath);
  if (actual !== month.md5) {
    throw new MonthVerifyError(`md5 mismatch for ${month.name} (${localPath}): the checksum list says ${month.md5}, the file has ${actual}`, actual);
  }
  return { raster: localPath, size: statSync(localPath).size, verifyMs: performance.now() - t0, close: async () => {} };
}
