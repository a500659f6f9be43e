import pLimit from 'p-limit';
import { CgerError } from '../common/errors.ts';
import { type ChecksumEntry, checksumListName, parseChecksumList, parseMonthFileName } from './layout.ts';
import { type MonthPacking, PACKINGS } from './packings/registry.ts';
import type { MonthSource } from './sources/registry.ts';

/** One way to get a month: a packing and the year-folder file (holder) it would be read from. */
export interface MonthCandidate {
  packing: MonthPacking;
  holder: string;
  /** The holder at the source (path or URL). */
  location: string;
}

/** A month named by a release's checksum list (or found on disk), with the ways to get it. */
export interface MonthFile {
  release: string;
  year: number;
  month: number;
  /** The monthly file's name, as listed. */
  name: string;
  /** md5 from the checksum list; null when the file is not listed (it then fails: it cannot be verified). */
  md5: string | null;
  /** Where the first candidate is (path or URL). */
  location: string;
  /** Tried in order until one verifies: the month's own file first, then its year's archive. */
  candidates: MonthCandidate[];
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
  kind: string;
  root: string;
  /** Releases found, oldest first. */
  releases: ReleaseListing[];
  /** Notes for the user: releases asked for but absent, unreadable lists. */
  notes: string[];
}

export interface DiscoverOptions {
  releases: 'latest' | string[];
  /** Years to look at; null = every year present (or, where the source cannot list, 2000..this year). */
  years: number[] | null;
}

/** Picks one file per month from a year's checksum list (.tif.gz preferred over .tif, as ODIAC ships). */
function monthsFromList(release: string, year: number, entries: ChecksumEntry[], listName: string): Map<number, ChecksumEntry> {
  const byMonth = new Map<number, ChecksumEntry>();
  for (const entry of entries) {
    const parsed = parseMonthFileName(entry.name);
    if (!parsed || parsed.release !== release || parsed.year !== year) continue; // other products in the list
    const prev = byMonth.get(parsed.month);
    if (prev?.name.endsWith('.gz')) continue;
    if (prev && prev.md5 !== entry.md5 && prev.name === entry.name) {
      throw new CgerError(`${listName}: ${entry.name} is listed twice with different md5 values`);
    }
    byMonth.set(parsed.month, entry);
  }
  return byMonth;
}

async function releasesToRead(source: MonthSource, opts: DiscoverOptions, notes: string[]): Promise<string[]> {
  const labels = await source.releases();
  if (labels === null) {
    if (opts.releases === 'latest')
      throw new CgerError(`--source ${source.root}: the server gives no listing of its releases, so name the releases to probe, e.g. --release 2023,2024`);
    return opts.releases;
  }
  if (labels.length === 0) {
    throw new CgerError(`--source ${source.root}: no release tree found (expected odiac<REL>/1km_tiff/<YYYY>/ folders, e.g. odiac2024/1km_tiff/2022/)`);
  }
  if (opts.releases === 'latest') return [labels[labels.length - 1]];
  for (const l of opts.releases) if (!labels.includes(l)) notes.push(`release ${l} not found in ${source.root} (skipped)`);
  return opts.releases.filter((l) => labels.includes(l));
}

async function yearsToRead(source: MonthSource, release: string, opts: DiscoverOptions, notes: string[]): Promise<{ years: number[]; probed: boolean }> {
  const present = await source.years(release);
  if (present === null) {
    return { years: opts.years ?? Array.from({ length: new Date().getUTCFullYear() - 2000 + 1 }, (_, i) => 2000 + i), probed: true };
  }
  if (opts.years) for (const y of opts.years) if (!present.includes(y)) notes.push(`release ${release}: no ${y} folder at ${source.locate(release, y, '')}`);
  return { years: (opts.years ?? present).filter((y) => present.includes(y)), probed: false };
}

/** The months of one year folder, each with the candidates present there (all of them where the source cannot list). */
function yearMonths(source: MonthSource, release: string, year: number, listText: string | null, names: string[] | null): MonthFile[] {
  const listName = checksumListName(release, year);
  const listPath = source.locate(release, year, listName);
  const listed = listText === null ? new Map<number, ChecksumEntry>() : monthsFromList(release, year, parseChecksumList(listText, listPath), listPath);
  const onDisk = new Map<number, string>();
  for (const name of names ?? []) {
    const parsed = parseMonthFileName(name);
    if (!parsed || parsed.release !== release || parsed.year !== year) continue;
    if (!onDisk.has(parsed.month) || name.endsWith('.gz')) onDisk.set(parsed.month, name);
  }
  const files: MonthFile[] = [];
  for (let month = 1; month <= 12; month++) {
    const entry = listed.get(month);
    const diskName = onDisk.get(month);
    if (entry) {
      const listedMonth = { release, year, month, name: entry.name, md5: entry.md5 };
      const holders = [...new Set(PACKINGS.map((p) => p.holder(listedMonth)).filter((h): h is string => h !== null))];
      const candidates = PACKINGS.flatMap((packing) => {
        const holder = packing.holder(listedMonth);
        return holder !== null && (names === null || names.includes(holder)) ? [{ packing, holder, location: source.locate(release, year, holder) }] : [];
      });
      const absent = holders.map((h) => source.locate(release, year, h));
      files.push({
        release,
        year,
        month,
        name: entry.name,
        md5: entry.md5,
        location: candidates[0]?.location ?? absent[0],
        candidates,
        problem:
          candidates.length > 0
            ? null
            : `listed in ${listName} but ${absent.length > 1 ? `neither ${absent.join(' nor ')} exists` : `${absent[0]} does not exist`}`,
      });
    } else if (diskName) {
      const location = source.locate(release, year, diskName);
      files.push({
        release,
        year,
        month,
        name: diskName,
        md5: null,
        location,
        candidates: [],
        problem: `${location} is not in ${listName}, so it cannot be verified`,
      });
    }
  }
  return files;
}

/** Finds the releases, years and months a source offers. */
export async function discover(source: MonthSource, opts: DiscoverOptions): Promise<Discovery> {
  const notes: string[] = [];
  const releases: ReleaseListing[] = [];
  const limit = pLimit(4);
  for (const release of await releasesToRead(source, opts, notes)) {
    const { years, probed } = await yearsToRead(source, release, opts, notes);
    const folders = await Promise.all(
      years.map((year) =>
        limit(async () => ({
          year,
          listText: await source.readText(release, year, checksumListName(release, year)),
          names: await source.names(release, year),
        })),
      ),
    );
    const listing: ReleaseListing = { release, years: [], files: [] };
    for (const { year, listText, names } of folders) {
      const files = yearMonths(source, release, year, listText, names);
      if (listText === null) {
        if (probed) {
          if (opts.years) notes.push(`release ${release}: no checksum list for ${year} (${source.locate(release, year, checksumListName(release, year))})`);
          continue;
        }
        if (files.length === 0) continue;
        notes.push(`release ${release}: ${source.locate(release, year, checksumListName(release, year))} is missing, so the ${year} files cannot be verified`);
      }
      listing.years.push(year);
      listing.files.push(...files);
    }
    if (listing.years.length > 0) releases.push(listing);
    else if (probed) notes.push(`release ${release} not found at ${source.root} (no checksum list for ${years[0]}-${years[years.length - 1]}; skipped)`);
  }
  return { kind: source.kind, root: source.root, releases, notes };
}
