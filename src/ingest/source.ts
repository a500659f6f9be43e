import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { CgerError } from '../common/errors.ts';
import { fetchText, type HttpOptions } from './http.ts';
import {
  RELEASE_DIR_PATTERN, checksumListName, parseChecksumList, parseMonthFileName, yearDir, type ChecksumEntry,
} from './layout.ts';

/** A month file named by a release's checksum list (or found on disk), ready to fetch or read. */
export interface MonthFile {
  release: string;
  year: number;
  month: number;
  name: string;
  /** md5 from the checksum list; null when the file is not listed (it then fails: it cannot be verified). */
  md5: string | null;
  /** Local path (directory source) or URL (HTTP source). */
  location: string;
  /** Why this month cannot be used, found during discovery (listed but absent, not listed, ...). */
  problem: string | null;
}

export interface ReleaseListing {
  release: string;
  /** Years that have a checksum list, ascending. */
  years: number[];
  files: MonthFile[];
}

export interface Discovery {
  kind: 'dir' | 'http';
  root: string;
  /** Releases found, oldest first. */
  releases: ReleaseListing[];
  /** Notes for the user: releases asked for but absent, unreadable lists. */
  notes: string[];
}

export interface DiscoverOptions {
  releases: 'latest' | string[];
  /** Years to look at; null = every year present (directory) or 2000..this year (HTTP). */
  years: number[] | null;
  http: HttpOptions;
  onRetry?: (message: string) => void;
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Picks one file per month from a year's checksum list (.tif.gz preferred over .tif, as ODIAC ships). */
function monthsFromList(release: string, year: number, entries: ChecksumEntry[], listName: string): Map<number, ChecksumEntry> {
  const byMonth = new Map<number, ChecksumEntry>();
  for (const entry of entries) {
    const parsed = parseMonthFileName(entry.name);
    if (!parsed || parsed.release !== release || parsed.year !== year) continue; // other products in the list
    const prev = byMonth.get(parsed.month);
    if (prev && prev.name.endsWith('.gz')) continue;
    if (prev && prev.md5 !== entry.md5 && prev.name === entry.name) {
      throw new CgerError(`${listName}: ${entry.name} is listed twice with different md5 values`);
    }
    byMonth.set(parsed.month, entry);
  }
  return byMonth;
}

function discoverDirectory(root: string, opts: DiscoverOptions): Discovery {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CgerError(`--source ${root}: not a directory or an http(s) URL`);
  const labels = readdirSync(root)
    .map((name) => RELEASE_DIR_PATTERN.exec(name)?.[1])
    .filter((label): label is string => label !== undefined && existsSync(join(root, `odiac${label}`, '1km_tiff')))
    .sort();
  if (labels.length === 0) {
    throw new CgerError(`--source ${root}: no release tree found (expected odiac<REL>/1km_tiff/<YYYY>/ folders, e.g. odiac2024/1km_tiff/2022/)`);
  }
  const notes: string[] = [];
  let wanted: string[];
  if (opts.releases === 'latest') wanted = [labels[labels.length - 1]];
  else {
    wanted = opts.releases.filter((l) => labels.includes(l));
    for (const l of opts.releases) if (!labels.includes(l)) notes.push(`release ${l} not found in ${root} (skipped)`);
  }
  const releases: ReleaseListing[] = [];
  for (const release of wanted) {
    const base = join(root, `odiac${release}`, '1km_tiff');
    const present = readdirSync(base).filter((d) => /^\d{4}$/.test(d) && statSync(join(base, d)).isDirectory()).map(Number);
    const years = (opts.years ?? present).filter((y) => present.includes(y)).sort((a, b) => a - b);
    if (opts.years) for (const y of opts.years) if (!present.includes(y)) notes.push(`release ${release}: no ${y} folder in ${base}`);
    const listing: ReleaseListing = { release, years: [], files: [] };
    for (const year of years) {
      const dir = join(root, yearDir(release, year));
      const listName = checksumListName(release, year);
      const onDisk = new Map<number, string>();
      for (const name of readdirSync(dir)) {
        const parsed = parseMonthFileName(name);
        if (!parsed || parsed.release !== release || parsed.year !== year) continue;
        if (!onDisk.has(parsed.month) || name.endsWith('.gz')) onDisk.set(parsed.month, name);
      }
      let listed = new Map<number, ChecksumEntry>();
      if (existsSync(join(dir, listName))) {
        listed = monthsFromList(release, year, parseChecksumList(readFileSync(join(dir, listName), 'utf8'), join(dir, listName)), join(dir, listName));
        listing.years.push(year);
      } else if (onDisk.size > 0) {
        notes.push(`release ${release}: ${join(dir, listName)} is missing, so the ${year} files cannot be verified`);
        listing.years.push(year);
      }
      for (let month = 1; month <= 12; month++) {
        const entry = listed.get(month);
        const diskName = onDisk.get(month);
        if (entry) {
          const path = join(dir, entry.name);
          listing.files.push({
            release, year, month, name: entry.name, md5: entry.md5, location: path,
            problem: existsSync(path) ? null : `listed in ${listName} but ${path} does not exist`,
          });
        } else if (diskName) {
          listing.files.push({
            release, year, month, name: diskName, md5: null, location: join(dir, diskName),
            problem: `${join(dir, diskName)} is not in ${listName}, so it cannot be verified`,
          });
        }
      }
    }
    if (listing.years.length > 0) releases.push(listing);
  }
  return { kind: 'dir', root, releases, notes };
}

async function discoverHttp(base: string, opts: DiscoverOptions): Promise<Discovery> {
  if (opts.releases === 'latest') {
    throw new CgerError(`--source ${base}: HTTP servers give no directory listing, so name the releases to probe, e.g. --release 2023,2024`);
  }
  const root = base.endsWith('/') ? base : `${base}/`;
  const years = opts.years ?? Array.from({ length: new Date().getUTCFullYear() - 2000 + 1 }, (_, i) => 2000 + i);
  const limit = pLimit(4);
  const notes: string[] = [];
  const releases: ReleaseListing[] = [];
  for (const release of opts.releases) {
    const lists = await Promise.all(years.map((year) => limit(async () => {
      const url = new URL(`${yearDir(release, year)}/${checksumListName(release, year)}`, root).href;
      return { year, url, text: await fetchText(url, opts.http, opts.onRetry) };
    })));
    const listing: ReleaseListing = { release, years: [], files: [] };
    for (const { year, url, text } of lists) {
      if (text === null) {
        if (opts.years) notes.push(`release ${release}: no checksum list for ${year} (${url})`);
        continue;
      }
      listing.years.push(year);
      for (const [month, entry] of [...monthsFromList(release, year, parseChecksumList(text, url), url)].sort((a, b) => a[0] - b[0])) {
        listing.files.push({
          release, year, month, name: entry.name, md5: entry.md5,
          location: new URL(`${yearDir(release, year)}/${entry.name}`, root).href, problem: null,
        });
      }
    }
    if (listing.years.length > 0) releases.push(listing);
    else notes.push(`release ${release} not found at ${root} (no checksum list for ${years[0]}-${years[years.length - 1]}; skipped)`);
  }
  return { kind: 'http', root, releases, notes };
}

/** Finds the releases, years and month files a source offers. */
export async function discover(source: string, opts: DiscoverOptions): Promise<Discovery> {
  return isUrl(source) ? discoverHttp(source, opts) : discoverDirectory(resolve(source), opts);
}
