import type { MonthFile, ReleaseListing } from './discover.ts';
import { monthLabel } from './month.ts';
import type { MonthProblem } from './outputs.ts';
import type { Store } from './store.ts';

/** The months to process: all offered months except those done with the md5 their checksum list names now. */
export async function planMonths(
  store: Pick<Store, 'fileStatus'>,
  releases: ReleaseListing[],
  zoneSetId: number,
  say: (m: string) => void,
): Promise<{ todo: MonthFile[]; skipped: number }> {
  const todo: MonthFile[] = [];
  let skipped = 0;
  for (const listing of releases) {
    for (const file of listing.files) {
      const prior = await store.fileStatus(file.release, file.year, file.month, zoneSetId);
      if (prior?.status === 'done' && (file.md5 === prior.md5 || (file.md5 === null && file.problem !== null))) {
        if (file.md5 !== prior.md5) say(`ingest: ${file.release} ${monthLabel(file)} kept as ingested earlier: ${file.problem}`);
        skipped++;
      } else todo.push(file);
    }
  }
  return { todo, skipped };
}

/** A release's listing in short: the years with a checksum list and the months offered (year * 100 + month). */
export interface OfferedMonths {
  release: string;
  years: number[];
  offered: number[];
}

export function offeredMonths(listing: ReleaseListing): OfferedMonths {
  return { release: listing.release, years: listing.years, offered: listing.files.map((f) => f.year * 100 + f.month) };
}

/** Years the outputs cover: --years, else every year the source lists or the store holds for the release. */
export async function outputYears(store: Pick<Store, 'years'>, listing: OfferedMonths, zoneSetId: number, years: number[] | null): Promise<number[]> {
  if (years) return years;
  return [...new Set([...listing.years, ...(await store.years(listing.release, zoneSetId))])].sort((a, b) => a - b);
}

/** Months of the output years that the source does not offer. */
export function missingMonths(listing: OfferedMonths, years: number[]): MonthProblem[] {
  const offered = new Set(listing.offered);
  const missing: MonthProblem[] = [];
  for (const year of years) {
    for (let month = 1; month <= 12; month++) {
      if (offered.has(year * 100 + month)) continue;
      missing.push({
        release: listing.release,
        year,
        month,
        file: null,
        status: 'missing',
        error: listing.years.includes(year) ? 'not in the checksum list' : `no ${year} checksum list at the source`,
      });
    }
  }
  return missing;
}
