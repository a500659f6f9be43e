import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { errorMessage } from '../../common/errors.ts';
import { yearZipName } from '../layout.ts';
import { type ListedMonth, type MonthPacking, MonthVerifyError, type OpenedMonth } from './types.ts';

/**
 * A month inside its year's archive (`...<YYYY>_allmonths.tif.gz.zip`, as ODIAC ships since its
 * 2024 release): the entry `<name>` or `<YYYY>/<name>`, stored or deflated. The entry is found
 * through the archive's central directory (yauzl: random access, ZIP64), checked against its
 * CRC and the checksum list's md5 of the monthly `.tif.gz`, then streamed to the raster reader:
 * nothing is extracted to disk.
 */
export const yearZipPacking: MonthPacking = {
  kind: 'year zip',
  holder: (month) => (month.name.endsWith('.tif.gz') ? yearZipName(month.release, month.year) : null),
  open: openZipEntry,
};

async function readCentralDirectory(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** md5 and CRC-32 of an entry's uncompressed bytes (the monthly `.tif.gz`). */
async function digestEntry(zip: ZipFile, entry: Entry): Promise<{ md5: string; crc: number }> {
  const md5 = createHash('md5');
  let crc = 0;
  for await (const chunk of await zip.openReadStreamPromise(entry)) {
    md5.update(chunk as Buffer);
    crc = crc32(chunk as Buffer, crc);
  }
  return { md5: md5.digest('hex'), crc };
}

async function openZipEntry(zipPath: string, month: ListedMonth): Promise<OpenedMonth> {
  const t0 = performance.now();
  const where = `${month.name} in ${zipPath}`;
  let zip: ZipFile;
  let entries: Entry[];
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw new MonthVerifyError(`${where}: the zip archive is damaged (${errorMessage(err)})`);
  }
  try {
    try {
      entries = await readCentralDirectory(zip);
    } catch (err) {
      throw new MonthVerifyError(`${where}: the zip archive's central directory is damaged (${errorMessage(err)})`);
    }
    const entry = entries.find((e) => e.fileName === month.name || e.fileName === `${month.year}/${month.name}`);
    if (!entry) throw new MonthVerifyError(`${where}: the archive has no entry ${month.name} (nor ${month.year}/${month.name})`);
    let digest: { md5: string; crc: number };
    try {
      digest = await digestEntry(zip, entry);
    } catch (err) {
      throw new MonthVerifyError(`${where}: entry ${entry.fileName} cannot be read (${errorMessage(err)})`);
    }
    if (digest.crc !== entry.crc32) {
      throw new MonthVerifyError(`${where}: entry ${entry.fileName} fails the archive's CRC-32 check`, digest.md5);
    }
    if (digest.md5 !== month.md5) {
      throw new MonthVerifyError(`md5 mismatch for ${where}: the checksum list says ${month.md5}, the entry has ${digest.md5}`, digest.md5);
    }
    const opened = zip;
    return {
      raster: { name: `${zipPath}:${entry.fileName}`, open: () => opened.openReadStreamPromise(entry) },
      size: entry.uncompressedSize,
      verifyMs: performance.now() - t0,
      close: async () => opened.close(),
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}
