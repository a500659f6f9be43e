import { errorMessage } from '../common/errors.ts';
import type { ZoneEngine } from '../zonal/index.ts';
import { MASS_AUDIT_TOLERANCE, massAudit } from './audit.ts';
import type { MonthCandidate, MonthFile } from './discover.ts';
import { MonthVerifyError, type OpenedMonth } from './packings/registry.ts';
import type { LocalFile, MonthSource } from './sources/registry.ts';
import type { FileRecord, Store } from './store.ts';

/** A month that could not be used; `status` quarantined when its bytes differ from the checksum list. */
export class MonthFailure extends Error {
  constructor(
    message: string,
    readonly status: 'failed' | 'quarantined',
    readonly md5Actual: string | null = null,
    readonly path: string | null = null,
  ) {
    super(message);
  }
}

/** What processing a month needs from the run. */
export interface MonthContext {
  /** Where the month's outcome is committed (a queue worker adds its job's completion to the same transaction). */
  store: Pick<Store, 'commitMonth' | 'failMonth'>;
  source: MonthSource;
  engine: ZoneEngine;
  zoneSetId: number;
  runId: number;
  cgerVersion: string;
  /** Decoding threads for this month's sum. */
  threads: number;
  /** Runs a download within the run's download slots (they run ahead of the summing). */
  fetchSlot: <T>(job: () => Promise<T>) => Promise<T>;
  /** Runs a month's checks and sum within the run's summing slots. */
  sumSlot: <T>(job: () => Promise<T>) => Promise<T>;
  log: (message: string) => void;
}

export const monthLabel = (f: { year: number; month: number }) => `${f.year}-${String(f.month).padStart(2, '0')}`;

export interface MonthOutcome {
  ok: boolean;
  bytes: number;
  error?: string;
}

/** Where a candidate was read from, and the month found there. */
interface Verified {
  local: LocalFile;
  opened: OpenedMonth;
}

/**
 * Fetches a candidate's holder and checks the month in it. A copy from an earlier run or a
 * resumed download that fails is fetched once more from scratch; a whole fresh copy that fails
 * is moved aside when the run ends (the message says where).
 */
async function verifyCandidate(file: MonthFile & { md5: string }, c: MonthCandidate, ctx: MonthContext): Promise<Verified> {
  const listed = { release: file.release, year: file.year, month: file.month, name: file.name, md5: file.md5 };
  const fetch = (fresh: boolean) => ctx.source.fetch(file.release, file.year, c.holder, { fresh, log: ctx.log });
  let local = await fetch(false);
  for (;;) {
    try {
      return { local, opened: await c.packing.open(local.path, listed) };
    } catch (err) {
      if (!(err instanceof MonthVerifyError)) throw err;
      if (local.origin === 'kept' || local.origin === 'resumed') {
        ctx.log(
          `${local.path} (${local.origin === 'kept' ? 'kept from an earlier run' : 'a resumed download'}) fails its checks (${err.message}); fetching it again from the start`,
        );
        local = await fetch(true);
        continue;
      }
      const aside = ctx.source.condemn(local, file.release);
      throw aside ? new MonthVerifyError(`${err.message}; the download is kept as ${aside}`, err.md5Actual) : err;
    }
  }
}

/** Sums a verified month, audits its mass and commits it, all its rows or none. */
async function sumAndCommit(record: FileRecord, { local, opened }: Verified, ctx: MonthContext): Promise<number> {
  Object.assign(record, {
    source: local.location,
    path: local.path,
    size: opened.size,
    md5Actual: record.md5,
    fetchMs: local.fetchMs,
    verifyMs: opened.verifyMs,
  });
  const t0 = performance.now();
  const sums = await ctx.engine.sumRaster(opened.raster, { fullGrid: true, requireOdiacLattice: true, threads: ctx.threads, onNotice: ctx.log });
  record.sumMs = performance.now() - t0;
  record.grid = JSON.stringify(sums.grid);
  record.nodata = sums.nodata;
  const audit = massAudit(
    sums.zones.map((z) => z.sum),
    sums.outside!,
    sums.gridTotal!,
  ); // set: fullGrid
  if (audit.relError > MASS_AUDIT_TOLERANCE || !Number.isFinite(audit.relError)) {
    throw new MonthFailure(
      `mass audit failed for ${record.name}: zones ${audit.zonesTotal} + outside ${audit.outside} != grid total ${audit.gridTotal} ` +
        `(relative difference ${audit.relError.toExponential(2)} > ${MASS_AUDIT_TOLERANCE})`,
      'failed',
      null,
      local.path,
    );
  }
  sums.zones.forEach((z, i) => {
    if (z.id !== ctx.engine.zones[i]?.id) throw new Error(`zone ${i} is ${z.id} in the sums but ${ctx.engine.zones[i]?.id} in the zone set`);
  });
  await ctx.store.commitMonth(
    { ...record, status: 'done' },
    sums.zones.map((z) => ({ zoneId: z.id, sum: z.sum, coverage: z.coverage, cells: z.cells })),
    audit,
  );
  return opened.size;
}

/**
 * Processes one month: tries its candidates in order until one verifies (md5, and an archive's
 * CRC), sums that one and commits it; a month no candidate delivers is recorded as failed, with
 * what each candidate said. Resolves with the bytes summed (0 when it failed).
 */
export async function processMonth(file: MonthFile, ctx: MonthContext): Promise<MonthOutcome> {
  const record: FileRecord = {
    release: file.release,
    year: file.year,
    month: file.month,
    zoneSetId: ctx.zoneSetId,
    name: file.name,
    source: file.location,
    path: null,
    size: null,
    md5: file.md5 ?? '',
    md5Actual: null,
    status: 'failed',
    error: null,
    grid: null,
    nodata: null,
    cgerVersion: ctx.cgerVersion,
    runId: ctx.runId,
    fetchMs: null,
    verifyMs: null,
    sumMs: null,
  };
  try {
    if (file.problem || file.md5 === null) throw new MonthFailure(file.problem ?? `${file.name} is not in the checksum list`, 'failed');
    const md5 = file.md5;
    // The first candidate's download starts now, ahead of the summing (a source fetches a file once a run).
    const first = file.candidates[0];
    if (first) await ctx.fetchSlot(() => ctx.source.fetch(file.release, file.year, first.holder, { log: ctx.log }).catch(() => null));
    return await ctx.sumSlot(() => tryCandidates(file, md5, record, ctx));
  } catch (err) {
    return await recordFailure(err, record, ctx);
  }
}

/** Tries the candidates in order; sums and commits the first that verifies, else throws what each said. */
async function tryCandidates(file: MonthFile, md5: string, record: FileRecord, ctx: MonthContext): Promise<MonthOutcome> {
  const problems: string[] = [];
  let mismatch: string | null = null;
  for (const c of file.candidates) {
    let verified: Verified;
    try {
      verified = await verifyCandidate({ ...file, md5 }, c, ctx);
    } catch (err) {
      if (err instanceof MonthVerifyError && err.md5Actual !== null) mismatch ??= err.md5Actual;
      problems.push(errorMessage(err));
      record.path = c.location;
      continue;
    }
    try {
      return { ok: true, bytes: await sumAndCommit(record, verified, ctx) };
    } finally {
      await verified.opened.close();
    }
  }
  throw new MonthFailure(problems.join('; '), mismatch !== null ? 'quarantined' : 'failed', mismatch);
}

/** Records a failed month (and removes any earlier rows of it), in one transaction. */
async function recordFailure(err: unknown, record: FileRecord, ctx: MonthContext): Promise<MonthOutcome> {
  const failure = err instanceof MonthFailure ? err : new MonthFailure(errorMessage(err), 'failed');
  await ctx.store.failMonth({
    ...record,
    status: failure.status,
    error: failure.message,
    md5Actual: failure.md5Actual ?? record.md5Actual,
    path: failure.path ?? record.path,
  });
  return { ok: false, bytes: 0, error: failure.message };
}
