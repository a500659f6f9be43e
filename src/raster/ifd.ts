/**
 * Reading the first image file directory (IFD) of a TIFF, defensively: every count and offset is
 * checked against the data available before anything sized by it is read or allocated. Written
 * here rather than taken from geotiff, whose directory parser keeps the last of duplicated tags
 * (libtiff keeps the first), accepts offsets of any field type (libtiff refuses UNDEFINED) and
 * sizes its reads by the counts a file declares.
 */
import { CgerError } from '../common/errors.ts';

/** Random access to the bytes of a TIFF. `read` may return fewer bytes at the end of the data. */
export interface ByteSource {
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Total bytes, when known (a file; not the head of a gunzip stream). */
  size?: number;
}

/** TIFF field types: name and size of one value. */
const FIELD_TYPES: Record<number, { name: string; size: number }> = {
  1: { name: 'BYTE', size: 1 },
  2: { name: 'ASCII', size: 1 },
  3: { name: 'SHORT', size: 2 },
  4: { name: 'LONG', size: 4 },
  5: { name: 'RATIONAL', size: 8 },
  6: { name: 'SBYTE', size: 1 },
  7: { name: 'UNDEFINED', size: 1 },
  8: { name: 'SSHORT', size: 2 },
  9: { name: 'SLONG', size: 4 },
  10: { name: 'SRATIONAL', size: 8 },
  11: { name: 'FLOAT', size: 4 },
  12: { name: 'DOUBLE', size: 8 },
  13: { name: 'IFD', size: 4 },
  16: { name: 'LONG8', size: 8 },
  17: { name: 'SLONG8', size: 8 },
  18: { name: 'IFD8', size: 8 },
};
/** Types libtiff accepts where it expects unsigned integers (signed ones only when not negative). */
const INTEGER_TYPES = new Set([1, 3, 4, 6, 8, 9, 13, 16, 17, 18]);
const FLOAT_TYPES = new Set([11, 12]);

/** libtiff's sanity limit on the entries of one directory. */
const MAX_ENTRIES = 4096;

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Where the value bytes are: in the entry itself or at an offset. */
  valueOffset: number;
}

export interface Ifd {
  path: string;
  littleEndian: boolean;
  bigTiff: boolean;
  /** Entries by tag; of a tag given twice, the first (as libtiff). */
  entries: Map<number, IfdEntry>;
  source: ByteSource;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads exactly `length` bytes at `offset`, or fails saying what lies outside the data. */
async function readExactly(source: ByteSource, path: string, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (source.size !== undefined && offset + length > source.size) {
    throw new CgerError(`${path}: invalid TIFF: ${what} at bytes ${offset}-${offset + length} lies outside the file (${source.size} bytes)`);
  }
  const bytes = await source.read(offset, length);
  if (bytes.length < length)
    throw new CgerError(`${path}: invalid TIFF: ${what} at bytes ${offset}-${offset + length} lies past the end of the data (${offset + bytes.length} bytes)`);
  return bytes;
}

function readOffset(dv: DataView, at: number, bigTiff: boolean, le: boolean): number {
  return bigTiff ? Number(dv.getBigUint64(at, le)) : dv.getUint32(at, le);
}

/** Parses the header and the first IFD's entries (not their values). The signature must already be checked. */
export async function readFirstIfd(source: ByteSource, path: string): Promise<Ifd> {
  const head = view(await readExactly(source, path, 0, 8, 'the header'));
  const le = head.getUint8(0) === 0x49;
  const bigTiff = head.getUint16(2, le) === 43;
  let ifdOffset: number;
  if (bigTiff) {
    const big = view(await readExactly(source, path, 0, 16, 'the BigTIFF header'));
    if (big.getUint16(4, le) !== 8 || big.getUint16(6, le) !== 0)
      throw new CgerError(`${path}: invalid BigTIFF header (offset size ${big.getUint16(4, le)}, expected 8)`);
    ifdOffset = readOffset(big, 8, true, le);
  } else {
    ifdOffset = head.getUint32(4, le);
  }
  if (ifdOffset < 8) throw new CgerError(`${path}: invalid TIFF: first directory offset ${ifdOffset} points into the header`);
  const countSize = bigTiff ? 8 : 2;
  const countBytes = view(await readExactly(source, path, ifdOffset, countSize, 'the directory'));
  const count = bigTiff ? Number(countBytes.getBigUint64(0, le)) : countBytes.getUint16(0, le);
  if (count === 0 || count > MAX_ENTRIES) throw new CgerError(`${path}: invalid TIFF: the directory at byte ${ifdOffset} claims ${count} entries`);
  const entrySize = bigTiff ? 20 : 12;
  const raw = view(await readExactly(source, path, ifdOffset + countSize, count * entrySize, `the directory's ${count} entries`));
  const entries = new Map<number, IfdEntry>();
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const tag = raw.getUint16(at, le);
    if (entries.has(tag)) continue; // libtiff ignores duplicates of a tag
    const type = raw.getUint16(at + 2, le);
    const valueCount = bigTiff ? Number(raw.getBigUint64(at + 4, le)) : raw.getUint32(at + 4, le);
    const size = FIELD_TYPES[type]?.size ?? 0;
    const inline = bigTiff ? 8 : 4;
    const valueField = ifdOffset + countSize + at + (bigTiff ? 12 : 8);
    const valueOffset = size * valueCount <= inline ? valueField : readOffset(raw, at + (bigTiff ? 12 : 8), bigTiff, le);
    entries.set(tag, { tag, type, count: valueCount, valueOffset });
  }
  return { path, littleEndian: le, bigTiff, entries, source };
}

function typeName(type: number): string {
  return FIELD_TYPES[type]?.name ?? `unknown type ${type}`;
}

/**
 * The first `take` values (at most the entry's count) of a numeric tag as numbers; `kind` says
 * which field types are accepted. Fewer than `minCount` values is an error.
 */
async function numericValues(ifd: Ifd, entry: IfdEntry, name: string, kind: 'integer' | 'float', take: number, minCount: number): Promise<Float64Array> {
  const { path, littleEndian: le } = ifd;
  const accepted = kind === 'integer' ? INTEGER_TYPES : FLOAT_TYPES;
  if (!accepted.has(entry.type)) {
    throw new CgerError(
      `${path}: invalid TIFF: tag ${name} has type ${typeName(entry.type)}, expected ${kind === 'integer' ? 'an unsigned integer type' : 'FLOAT or DOUBLE'}`,
    );
  }
  if (entry.count < minCount) throw new CgerError(`${path}: invalid TIFF: tag ${name} has ${entry.count} value(s), at least ${minCount} needed`);
  const n = Math.min(take, entry.count);
  const size = FIELD_TYPES[entry.type].size;
  const dv = view(await readExactly(ifd.source, path, entry.valueOffset, n * size, `tag ${name} (${n} x ${typeName(entry.type)})`));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * size;
    switch (entry.type) {
      case 1:
        out[i] = dv.getUint8(at);
        break;
      case 6:
        out[i] = dv.getInt8(at);
        break;
      case 3:
        out[i] = dv.getUint16(at, le);
        break;
      case 8:
        out[i] = dv.getInt16(at, le);
        break;
      case 4:
      case 13:
        out[i] = dv.getUint32(at, le);
        break;
      case 9:
        out[i] = dv.getInt32(at, le);
        break;
      case 16:
      case 18:
        out[i] = Number(dv.getBigUint64(at, le));
        break;
      case 17:
        out[i] = Number(dv.getBigInt64(at, le));
        break;
      case 11:
        out[i] = dv.getFloat32(at, le);
        break;
      case 12:
        out[i] = dv.getFloat64(at, le);
        break;
    }
    if (kind === 'integer' && out[i] < 0) throw new CgerError(`${path}: invalid TIFF: tag ${name} holds a negative value (${out[i]})`);
  }
  return out;
}

/** Typed access to the tags of one IFD, each read on demand. */
export class TagReader {
  constructor(readonly ifd: Ifd) {}

  has(tag: number): boolean {
    return this.ifd.entries.has(tag);
  }

  /** A single unsigned integer (the first value of a per-sample tag), or `fallback` when absent. */
  async integer(tag: number, name: string, fallback?: number): Promise<number | undefined> {
    const entry = this.ifd.entries.get(tag);
    if (!entry) return fallback;
    return (await numericValues(this.ifd, entry, name, 'integer', 1, 1))[0];
  }

  /** Exactly `count` unsigned integers (the tag may hold more, as libtiff allows); undefined when absent. */
  async integers(tag: number, name: string, count: number): Promise<Float64Array | undefined> {
    const entry = this.ifd.entries.get(tag);
    if (!entry) return undefined;
    return numericValues(this.ifd, entry, name, 'integer', count, count);
  }

  /** Up to `max` integers (no minimum), e.g. the GeoKey directory. */
  async someIntegers(tag: number, name: string, max: number): Promise<number[] | undefined> {
    const entry = this.ifd.entries.get(tag);
    if (!entry) return undefined;
    return Array.from(await numericValues(this.ifd, entry, name, 'integer', max, 0));
  }

  /** Up to `max` floating-point values. */
  async doubles(tag: number, name: string, max: number): Promise<number[] | undefined> {
    const entry = this.ifd.entries.get(tag);
    if (!entry) return undefined;
    return Array.from(await numericValues(this.ifd, entry, name, 'float', max, 0));
  }

  /** An ASCII tag (at most `max` bytes read), without its NUL terminator(s). */
  async ascii(tag: number, name: string, max: number): Promise<string | undefined> {
    const entry = this.ifd.entries.get(tag);
    if (!entry) return undefined;
    if (entry.type !== 2 && entry.type !== 1 && entry.type !== 7) {
      throw new CgerError(`${this.ifd.path}: invalid TIFF: tag ${name} has type ${typeName(entry.type)}, expected ASCII`);
    }
    const n = Math.min(entry.count, max);
    const bytes = await readExactly(this.ifd.source, this.ifd.path, entry.valueOffset, n, `tag ${name} (${n} characters)`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').replace(/\0+$/, '');
  }
}
