import { version as cgerVersion } from '../common/version.ts';
import { monthLabel } from './month.ts';
import { buildOutputs, type IngestReport, OUTPUT_FILES, writeOutputs } from './outputs.ts';
import { missingMonths, type OfferedMonths, outputYears } from './plan.ts';
import type { Store, ZoneSetRecord } from './store.ts';

export interface PublishOptions {
  outDir: string;
  /** Years asked for (null: every year with a month in the store). */
  years: number[] | null;
  allowPartialYear: boolean;
  say: (m: string) => void;
  /** Failures and missing months: on stderr even with --quiet, so cron mails them. */
  warn: (m: string) => void;
}

export interface Published {
  changed: string[];
  report: IngestReport;
}

/**
 * Rebuilds the province tables and the report from the store for one release (so a rerun after a
 * kill restores them) and tells what failed, what is missing and which years are incomplete.
 */
export async function publishOutputs(store: Store, offered: OfferedMonths, zoneSet: ZoneSetRecord, opts: PublishOptions): Promise<Published> {
  const years = await outputYears(store, offered, zoneSet.id, opts.years);
  const built = await buildOutputs(store, {
    release: offered.release,
    zoneSet,
    years,
    missing: missingMonths(offered, years),
    allowPartialYear: opts.allowPartialYear,
    cgerVersion,
  });
  const changed = writeOutputs(opts.outDir, built);
  const { failed, missing } = built.report;
  for (const f of failed) opts.warn(`ingest: FAILED ${f.release} ${monthLabel(f)} ${f.file}: ${f.error}`);
  if (missing.length > 0)
    opts.warn(`ingest: ${missing.length} month(s) of release ${offered.release} not offered by the source: ${missing.map(monthLabel).join(', ')}`);
  const partial = built.report.years.filter((y) => !y.complete && y.months_done > 0);
  if (partial.length > 0 && !opts.allowPartialYear) {
    opts.say(`ingest: incomplete years left out of ${OUTPUT_FILES.year}: ${partial.map((y) => `${y.year} (${y.months_done}/12)`).join(', ')}`);
  }
  return { changed, report: built.report };
}
