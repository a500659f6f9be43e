import { CgerError, errorMessage } from '../common/errors.ts';

/**
 * What a failed gunzip of `path` means for the user. `position` is how many decompressed bytes
 * had been taken from the stream (a checksum error comes after all of them were produced).
 */
export function gunzipError(path: string, err: unknown, position: number): CgerError {
  const code = (err as NodeJS.ErrnoException).code;
  const message = errorMessage(err);
  if (code === 'Z_BUF_ERROR') return new CgerError(`${path}: gzip stream is truncated (${message} after ${position} decompressed bytes)`);
  if (/incorrect data check/i.test(message)) {
    return new CgerError(
      `${path}: gzip CRC-32 mismatch: the decompressed data does not match the checksum stored in the file, so the .gz is corrupt (fetch it again)`,
    );
  }
  if (/incorrect length check/i.test(message)) {
    return new CgerError(
      `${path}: gzip length check failed: the decompressed size does not match the size stored in the file, so the .gz is corrupt (fetch it again)`,
    );
  }
  if (code?.startsWith('Z_')) return new CgerError(`${path}: gzip stream is corrupt (${message} after ${position} decompressed bytes)`);
  return new CgerError(`${path}: cannot read (${message})`);
}
