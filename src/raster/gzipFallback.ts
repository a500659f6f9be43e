/** The slow path for a .gz whose TIFF cannot be streamed: decompress it to a temporary file first. */
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GunzipCursor } from './gunzipCursor.ts';

/** Decompresses the rest of the stream (after `head`) into a temp file, runs `use` on it, removes it. */
export async function viaTempFile<T>(
  path: string,
  cursor: GunzipCursor,
  head: Buffer | null,
  notice: (m: string) => void,
  use: (tmp: string) => Promise<T>,
): Promise<T> {
  const tmp = join(tmpdir(), `cger-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tif`);
  notice(`${path}: TIFF layout cannot be streamed (directory after the image data or blocks out of order); decompressing to temporary file ${tmp}`);
  try {
    const out = await open(tmp, 'w');
    try {
      if (head) await out.write(head);
      for (let chunk = await cursor.next(); chunk; chunk = await cursor.next()) await out.write(chunk);
    } finally {
      await out.close();
    }
    return await use(tmp);
  } finally {
    await cursor.close();
    await rm(tmp, { force: true });
  }
}
