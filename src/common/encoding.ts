import iconv from 'iconv-lite';
import { CgerError } from './errors.ts';

/**
 * Text encodings of the CSV files users bring: UTF-8 (with or without BOM), GB18030 (a superset of
 * GBK, what Excel on Chinese Windows and the statistics portal write) and UTF-16 with a BOM.
 */
export const ENCODINGS = ['utf8', 'gb18030', 'utf16le', 'utf16be'] as const;
export type TextEncoding = (typeof ENCODINGS)[number];

const ALIASES: Record<string, TextEncoding> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  gb18030: 'gb18030',
  cp936: 'gb18030',
  utf16le: 'utf16le',
  'utf-16le': 'utf16le',
  'utf-16': 'utf16le',
  utf16be: 'utf16be',
  'utf-16be': 'utf16be',
};

/** The encoding named by the user (`--encoding`), in any common spelling. */
export function parseEncoding(name: string): TextEncoding {
  const enc = ALIASES[name.toLowerCase()];
  if (!enc) throw new CgerError(`unknown encoding '${name}' (use utf8, gbk, gb18030, utf16le or utf16be)`);
  return enc;
}

/**
 * The encoding of a file's bytes: a byte-order mark decides; otherwise bytes that are valid UTF-8
 * are UTF-8, and anything else is read as GB18030 (every GBK file is valid GB18030).
 */
export function detectEncoding(bytes: Uint8Array): TextEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf16be';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf8';
  } catch {
    return 'gb18030';
  }
}

/** Decodes bytes (BOM stripped) in the given or the detected encoding. */
export function decodeText(bytes: Uint8Array, encoding?: TextEncoding): { text: string; encoding: TextEncoding } {
  const enc = encoding ?? detectEncoding(bytes);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = iconv.decode(buf, enc, { stripBOM: true });
  return { text, encoding: enc };
}
