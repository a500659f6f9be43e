/**
 * Deterministic mutations of a TIFF (or of its gzip), aimed at what a reader trusts: the
 * directory's entry counts, types, tags and offsets, the strip/tile arrays, the header, the
 * block data, the file's length and the gzip framing. Each case is a pure function of its seed.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { createRng, type Rng } from '../../src/common/random.ts';

export interface Mutation {
  /** What was done, for messages and fixture names. */
  label: string;
  bytes: Buffer;
}

interface EntryPos {
  at: number;
  tag: number;
  type: number;
  count: number;
  /** Byte position of the value field (inline values or the offset of out-of-line ones). */
  valueAt: number;
  /** Offset of out-of-line values, or -1 when inline. */
  outOfLine: number;
}

interface Layout {
  le: boolean;
  big: boolean;
  ifdAt: number;
  entries: EntryPos[];
}

const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
const KNOWN_TAGS = [256, 257, 258, 259, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 339, 33550, 33922, 34264, 34735, 34736, 34737, 42113];

/** Where the first IFD's entries are in a well-formed TIFF (the unmutated base). */
function locate(buf: Buffer): Layout {
  const le = buf[0] === 0x49;
  const u16 = (at: number) => (le ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const u64 = (at: number) => Number(le ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at));
  const big = u16(2) === 43;
  const ifdAt = big ? u64(8) : u32(4);
  const n = big ? u64(ifdAt) : u16(ifdAt);
  const first = ifdAt + (big ? 8 : 2);
  const entries: EntryPos[] = [];
  for (let i = 0; i < n; i++) {
    const at = first + i * (big ? 20 : 12);
    const type = u16(at + 2);
    const count = big ? u64(at + 4) : u32(at + 4);
    const valueAt = at + (big ? 12 : 8);
    const inline = (SIZES[type] ?? 1) * count <= (big ? 8 : 4);
    entries.push({ at, tag: u16(at), type, count, valueAt, outOfLine: inline ? -1 : big ? u64(valueAt) : u32(valueAt) });
  }
  return { le, big, ifdAt, entries };
}

function writeUint(buf: Buffer, at: number, bytes: number, value: number, le: boolean): void {
  if (at < 0 || at + bytes > buf.length) return;
  if (bytes === 2) le ? buf.writeUInt16LE(value & 0xffff, at) : buf.writeUInt16BE(value & 0xffff, at);
  else if (bytes === 4) le ? buf.writeUInt32LE(value >>> 0, at) : buf.writeUInt32BE(value >>> 0, at);
  else le ? buf.writeBigUInt64LE(BigInt(value), at) : buf.writeBigUInt64BE(BigInt(value), at);
}

/** Interesting replacement values for a count or offset field. */
function extreme(rng: Rng, fileSize: number, big: boolean): number {
  const max = big ? Number.MAX_SAFE_INTEGER : 0xffffffff;
  const pool = [0, 1, 2, 3, 4, 255, 256, 65535, 65536, max, max - 1, fileSize - 1, fileSize, fileSize + 1, rng.int(fileSize), rng.int(0x7fffffff), 2 ** 31];
  return pool[rng.int(pool.length)];
}

function pick<T>(rng: Rng, list: T[]): T {
  return list[rng.int(list.length)];
}

/** Bytes a data mutation may hit: anything after the 8-byte header (blocks, arrays, directory). */
function bodyRange(size: number): [number, number] {
  return [Math.min(size - 1, 8), size];
}

const TIFF_MUTATORS: Array<[string, (buf: Buffer, layout: Layout, rng: Rng) => string]> = [
  [
    'count',
    (buf, l, rng) => {
      const e = pick(rng, l.entries);
      const v = extreme(rng, buf.length, l.big);
      writeUint(buf, e.at + 4, l.big ? 8 : 4, v, l.le);
      return `count of tag ${e.tag} = ${v}`;
    },
  ],
  [
    'value',
    (buf, l, rng) => {
      const e = pick(rng, l.entries);
      const v = extreme(rng, buf.length, l.big);
      const bytes = e.outOfLine >= 0 ? (l.big ? 8 : 4) : pick(rng, [2, 4]);
      writeUint(buf, e.valueAt, Math.min(bytes, l.big ? 8 : 4), v, l.le);
      return `value of tag ${e.tag} = ${v}`;
    },
  ],
  [
    'type',
    (buf, l, rng) => {
      const e = pick(rng, l.entries);
      const t = pick(rng, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 255]);
      writeUint(buf, e.at + 2, 2, t, l.le);
      return `type of tag ${e.tag} = ${t}`;
    },
  ],
  [
    'tag',
    (buf, l, rng) => {
      const e = pick(rng, l.entries);
      const t = rng.next() < 0.8 ? pick(rng, KNOWN_TAGS) : rng.int(65536);
      writeUint(buf, e.at, 2, t, l.le);
      return `tag ${e.tag} renumbered ${t}`;
    },
  ],
  [
    'duplicate',
    (buf, l, rng) => {
      const a = pick(rng, l.entries);
      const b = pick(rng, l.entries);
      buf.copy(buf, b.at, a.at, a.at + (l.big ? 20 : 12));
      return `entry of tag ${a.tag} copied over tag ${b.tag}`;
    },
  ],
  [
    'array',
    (buf, l, rng) => {
      const arrays = l.entries.filter((e) => e.outOfLine >= 0 && [273, 279, 324, 325, 33550, 33922, 34735].includes(e.tag));
      if (arrays.length === 0) return 'no array';
      const e = pick(rng, arrays);
      const size = SIZES[e.type] ?? 1;
      const i = rng.int(e.count);
      const v = extreme(rng, buf.length, l.big);
      if (e.outOfLine + (i + 1) * size > buf.length) return 'array outside the file';
      if (size === 8 && e.type === 12) buf.writeDoubleLE(pick(rng, [0, -1, 1e308, NaN, Infinity, 1e-300]), e.outOfLine + i * 8);
      else writeUint(buf, e.outOfLine + i * size, Math.min(size, 8), size === 2 ? v & 0xffff : v, l.le);
      return `element ${i} of tag ${e.tag} = ${v}`;
    },
  ],
  [
    'entries',
    (buf, l, rng) => {
      const v = pick(rng, [0, 1, 2, l.entries.length - 1, l.entries.length + 1, 4097, 65535, rng.int(65536)]);
      writeUint(buf, l.ifdAt, l.big ? 8 : 2, v, l.le);
      return `entry count = ${v}`;
    },
  ],
  [
    'ifd',
    (buf, l, rng) => {
      const v = extreme(rng, buf.length, l.big);
      writeUint(buf, l.big ? 8 : 4, l.big ? 8 : 4, v, l.le);
      return `IFD offset = ${v}`;
    },
  ],
  [
    'flip-head',
    (buf, l, rng) => {
      const end = Math.min(buf.length, Math.max(...l.entries.map((e) => e.at + 12)) + 64);
      const flips: number[] = [];
      for (let k = 1 + rng.int(4); k > 0; k--) {
        const at = rng.int(end);
        buf[at] ^= 1 << rng.int(8);
        flips.push(at);
      }
      return `bits flipped at ${flips.join(',')}`;
    },
  ],
  [
    'flip-data',
    (buf, _l, rng) => {
      const [start, end] = bodyRange(buf.length);
      const at = start + rng.int(end - start);
      buf[at] ^= 1 << rng.int(8);
      return `bit flipped at ${at}`;
    },
  ],
  [
    'smash',
    (buf, _l, rng) => {
      const [start, end] = bodyRange(buf.length);
      const at = start + rng.int(end - start);
      const n = 1 + rng.int(64);
      for (let k = at; k < Math.min(buf.length, at + n); k++) buf[k] = rng.int(256);
      return `${n} random bytes at ${at}`;
    },
  ],
];

/** A mutated copy of a TIFF, or of its gzip when `gzipped`, chosen by `seed`. */
export function mutate(base: Buffer, gzipped: boolean, seed: number): Mutation {
  const rng = createRng(seed);
  if (gzipped && rng.next() < 0.5) {
    const gz = Buffer.from(base);
    const how = rng.int(4);
    if (how === 0) {
      const cut = 10 + rng.int(gz.length - 10);
      return { label: `gzip cut at ${cut}`, bytes: gz.subarray(0, cut) };
    }
    if (how === 1) {
      gz.writeUInt32LE(rng.int(0xffffffff), gz.length - 8);
      return { label: 'gzip CRC changed', bytes: gz };
    }
    if (how === 2) {
      gz.writeUInt32LE(rng.int(0xffffffff), gz.length - 4);
      return { label: 'gzip length changed', bytes: gz };
    }
    const at = 10 + rng.int(gz.length - 18);
    gz[at] ^= 1 << rng.int(8);
    return { label: `gzip bit flipped at ${at}`, bytes: gz };
  }
  const tiff = Buffer.from(gzipped ? gunzipSync(base) : base);
  const layout = locate(tiff);
  const labels: string[] = [];
  let bytes: Buffer = tiff;
  for (let k = 1 + (rng.next() < 0.25 ? rng.int(3) : 0); k > 0; k--) {
    const [name, apply] = pick(rng, TIFF_MUTATORS);
    labels.push(`${name}: ${apply(bytes, layout, rng)}`);
  }
  if (rng.next() < 0.1) {
    const cut = rng.int(bytes.length);
    bytes = bytes.subarray(0, cut);
    labels.push(`cut at ${cut}`);
  }
  return { label: labels.join('; '), bytes: gzipped ? gzipSync(bytes) : bytes };
}
