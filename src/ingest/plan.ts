import type { MonthProblem } from './outputs.ts';
import type { MonthFile, ReleaseListing } from './source.ts';
import type { FileStatus } from './store.ts';

/** What an ingest does with the months a source lists, and which months its outputs cover. */

/** The part of a store planning reads (either kind: SQLite answers at once, PostgreSQL asynchronously). */
export interface PlanStore {
  fileStatus(release: string, year: number, month: number, zoneSetId: number):
    { status: FileStatus; md5: string } | undefined | Promise<{ status: FileStatus; md5: string } | undefined>;
  years(release: string, zoneSetId: number): number[] | Promise<number[]>;
}

/** A month is skipped when it is done with the md5 its checksum list names now. */
export async function planMonths(store: PlanStore, listings: ReleaseListing[], zoneSetId: number, say: (m: string) => void): Promise<{ todo: MonthFile[]; skipped: number }> {
  const todo: MonthFile[] = [];
  let skipped = 0;
  for (const listing of listings) {
    for (const file of listing.files) {
      const prior = await store.fileStatus(file.release, file.year, file.month, zoneSetId);
      if (prior?.status === 'done' && (file.md5 === prior.md5 || (file.md5 === null && file.problem !== null))) {
        if (file.md5 !== prior.md5) say(`${file.release} ${monthLabel(file)} kept as ingested earlier: ${file.problem}`);
        skipped++;
      } else todo.push(file);
    }
  }
  return { todo, skipped };
}

export const monthLabel = (f: { year: number; month: number }) => `${f.year}-${String(f.month).padStart(2, '0')}`;

/** A release's listing in short: the years with a checksum list and the months offered (year * 100 + month). */
export interface OfferedMonths { release: string; years: number[]; offered: Set<number> }

export function offeredMonths(listing: ReleaseListing): OfferedMonths {
  return { release: listing.release, years: listing.years, offered: new Set(listing.files.map((f) => f.year * 100 + f.month)) };
}

/** Years the outputs cover: --years, else every year the source lists or the store holds for the release. */
export async function outputYears(store: PlanStore, listing: OfferedMonths, zoneSet: { id: number }, years: number[] | null): Promise<number[]> {
  if (years) return years;
  const stored = await store.years(listing.release, zoneSet.id);
  return [...new Set([...listing.years, ...stored])].sort((a, b) => a - b);
}

export function missingMonths(listing: OfferedMonths, years: number[]): MonthProblem[] {
  const missing: MonthProblem[] = [];
  for (const year of years) {
    for (let month = 1; month <= 12; month++) {
      if (listing.offered.has(year * 100 + month)) continue;
      missing.push({
        release: listing.release, year, month, file: null, status: 'missing',
        error: listing.years.includes(year) ? 'not in the checksum list' : `no ${year} checksum list at the source`,
      });
    }
  }
  return missing;
}
