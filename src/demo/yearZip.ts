import { ZipFile } from 'yazl';
import { writeFileAtomic } from '../common/atomicWrite.ts';

export interface ZipEntry {
  name: string;
  bytes: Buffer;
}

/** Entries carry this time stamp, so the same months give the same archive bytes. */
const ENTRY_TIME = new Date(Date.UTC(2000, 0, 1));

/**
 * Packs a year's monthly `.tif.gz` files into one zip at the archive's root, stored (they are
 * gzipped already), as ODIAC's per-year archives hold them; written atomically.
 */
export async function writeYearZip(path: string, entries: ZipEntry[]): Promise<number> {
  const zip = new ZipFile();
  for (const e of entries) zip.addBuffer(e.bytes, e.name, { compress: false, mtime: ENTRY_TIME, mode: 0o100644 });
  zip.end();
  const parts: Buffer[] = [];
  for await (const chunk of zip.outputStream) parts.push(chunk as Buffer);
  const bytes = Buffer.concat(parts);
  writeFileAtomic(path, bytes);
  return bytes.length;
}
