/**
 * ODIAC release layout: where a release keeps each year and what its files are called.
 *
 *   odiac<REL>/1km_tiff/<YYYY>/odiac<REL>_1km_excl_intl_<YYMM>.tif[.gz]          one month
 *   odiac<REL>/1km_tiff/<YYYY>/odiac<REL>_1km_excl_intl_<YYYY>_allmonths.tif.gz.zip  the year's months (2024 release on)
 *   odiac<REL>/1km_tiff/<YYYY>/odiac<REL>_1km_checksum_<YYYY>.md5.txt            md5 of each monthly file
 */
import { basename } from 'node:path';

export interface OdiacName {
  /** Release label, e.g. "2023". */
  release: string;
  year: number;
  month: number;
}

const MONTH_NAME = /^odiac(\d+)_1km_excl_intl_(\d{2})(\d{2})\.tif(\.gz)?$/;

/** Parses `odiac<REL>_1km_excl_intl_<YYMM>.tif[.gz]` (YY means 20YY); null for any other name. */
export function parseOdiacName(path: string): OdiacName | null {
  const m = MONTH_NAME.exec(basename(path));
  if (!m) return null;
  const month = Number(m[3]);
  if (month < 1 || month > 12) return null;
  return { release: m[1], year: 2000 + Number(m[2]), month };
}

const twoDigits = (n: number): string => String(n % 100).padStart(2, '0');

/** `odiac<REL>_1km_excl_intl_<YYMM>.tif.gz` (or `.tif` when not gzipped). */
export function monthFileName(release: string, year: number, month: number, gzipped = true): string {
  return `odiac${release}_1km_excl_intl_${twoDigits(year)}${twoDigits(month)}.tif${gzipped ? '.gz' : ''}`;
}

/** The per-year archive of the twelve monthly `.tif.gz` files. */
export function yearZipName(release: string, year: number): string {
  return `odiac${release}_1km_excl_intl_${year}_allmonths.tif.gz.zip`;
}

/** The year's md5 list (it names the monthly `.tif.gz` files, also when they ship in a year zip). */
export function checksumListName(release: string, year: number): string {
  return `odiac${release}_1km_checksum_${year}.md5.txt`;
}

/** A year's folder relative to the source root, with `/` separators (also used in URLs). */
export function yearDir(release: string, year: number): string {
  return `odiac${release}/1km_tiff/${year}`;
}
