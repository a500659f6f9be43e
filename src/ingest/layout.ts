import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parseOdiacName } from '../odiac/index.ts';

/**
 * The ODIAC release tree:
 *   odiac<REL>/1km_tiff/<YYYY>/odiac<REL>_1km_excl_intl_<YYMM>.tif[.gz]            (monthly files)
 *   odiac<REL>/1km_tiff/<YYYY>/odiac<REL>_1km_excl_intl_<YYYY>_allmonths.tif.gz.zip (or one zip a year)
 *   odiac<REL>/1km_tiff/<YYYY>/odiac<REL>_1km_checksum_<YYYY>.md5.txt              (md5 of the monthly files)
 */

export const RELEASE_DIR_PATTERN = /^odiac(\d{4})$/;

/** Path of a year's folder relative to the source root, with `/` separators (also used in URLs). */
export function yearDir(release: string, year: number): string {
  return `odiac${release}/1km_tiff/${year}`;
}

export function checksumListName(release: string, year: number): string {
  return `odiac${release}_1km_checksum_${year}.md5.txt`;
}

/** The per-year archive ODIAC ships since its 2024 release, holding the twelve monthly `.tif.gz`. */
export function yearZipName(release: string, year: number): string {
  return `odiac${release}_1km_excl_intl_${year}_allmonths.tif.gz.zip`;
}

export interface MonthFileName {
  release: string;
  year: number;
  month: number;
  gzipped: boolean;
}

/** Parses `odiac<REL>_1km_excl_intl_<YYMM>.tif[.gz]` (years 2000-2099). */
export function parseMonthFileName(name: string): MonthFileName | null {
  const parsed = parseOdiacName(name);
  // Release trees are labelled by four digits (docs/design.md §3); other labels are not releases.
  if (!parsed || !/^\d{4}$/.test(parsed.release) || basename(name) !== name) return null;
  return { ...parsed, gzipped: name.endsWith('.gz') };
}

export interface ChecksumEntry {
  name: string;
  md5: string;
}

/**
 * Parses a checksum list: GNU md5sum lines (`<md5>  <name>`, `*` before the name in binary mode)
 * or BSD lines (`MD5 (<name>) = <md5>`). Names are reduced to their base name. Blank lines and
 * `#` comments are skipped; any other line is an error naming the list and the line.
 */
export function parseChecksumList(text: string, listName: string): ChecksumEntry[] {
  const entries: ChecksumEntry[] = [];
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const gnu = /^([0-9a-fA-F]{32}) [ *]?(.+)$/.exec(line);
    const bsd = /^MD5 ?\((.+)\) ?= ?([0-9a-fA-F]{32})$/.exec(line);
    const name = gnu ? gnu[2] : bsd ? bsd[1] : null;
    const md5 = gnu ? gnu[1] : bsd ? bsd[2] : null;
    if (name === null || md5 === null) {
      throw new Error(`${listName} line ${i + 1}: not an md5 checksum line (expected "<md5>  <file>" or "MD5 (<file>) = <md5>")`);
    }
    entries.push({ name: name.trim().split(/[\\/]/).pop()!, md5: md5.toLowerCase() });
  });
  return entries;
}

/** md5 of a file, streamed. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Parses `--years`: `2011`, `2011-2022`, or a comma list of those. */
export function parseYears(spec: string): number[] {
  const years = new Set<number>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d{4})(?:-(\d{4}))?$/.exec(part);
    if (!m) throw new Error(`--years: "${part}" is not a year or a range like 2011-2022`);
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    if (b < a) throw new Error(`--years: range "${part}" runs backwards`);
    if (a < 2000 || b > 2099) throw new Error(`--years: "${part}" is outside 2000-2099 (ODIAC file names carry two-digit years)`);
    for (let y = a; y <= b; y++) years.add(y);
  }
  if (years.size === 0) throw new Error('--years: no year given');
  return [...years].sort((x, y) => x - y);
}

/** Parses `--release`: `latest` or a comma list of labels like `2023,2024`. */
export function parseReleases(spec: string): 'latest' | string[] {
  if (spec.trim() === 'latest') return 'latest';
  const labels = spec
    .split(',')
    .map((s) => s.trim().replace(/^odiac/, ''))
    .filter(Boolean);
  for (const label of labels) {
    if (!/^\d{4}$/.test(label)) throw new Error(`--release: "${label}" is not a release label like 2024 (or "latest")`);
  }
  if (labels.length === 0) throw new Error('--release: no label given');
  return [...new Set(labels)].sort();
}
