import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorMessage } from '../common/errors.ts';
import { version as cgerVersion } from '../common/version.ts';
import type { ZoneEngine } from '../zonal/index.ts';
import { defaultHttpOptions, downloadToPart, type HttpOptions } from './http.ts';
import { md5File } from './layout.ts';
import type { MonthFile } from './source.ts';
import type { FileRecord, MonthAudit, ZoneMonthRow } from './store.ts';

/**
 * One month-file from its source to the numbers the store keeps: fetched or read, checked
 * against its md5, summed per zone over the full grid, mass-audited. Used by the local ingest
 * and by queue workers alike; committing the outcome is the caller's.
 */

/** Zones + outside must equal the grid total within this relative difference, or the month fails. */
export const MASS_AUDIT_TOLERANCE = 1e-9;

/** A month that could not be used; `status` quarantined for an md5 mismatch. */
class MonthFailure extends Error {
  constructor(message: string, readonly status: 'failed' | 'quarantined', readonly md5Actual: string | null = null, readonly path: string | null = null) {
    super(message);
  }
}

interface Acquired { path: string; size: number; fetchMs: number | null; verifyMs: number }

export interface MonthContext {
  kind: 'dir' | 'http';
  engine: ZoneEngine;
  zoneSetId: number;
  runId: number;
  /** Decoding threads for this month. */
  threads: number;
  /** Where HTTP downloads are kept: <downloadDir>/<REL>/<YYYY>/. */
  downloadDir: string;
  http?: HttpOptions;
  log: (message: string) => void;
  /** Limits how many months fetch and sum at once (the local ingest runs downloads ahead of the sums). */
  schedule?: { acquire<T>(work: () => Promise<T>): Promise<T>; sum<T>(work: () => Promise<T>): Promise<T> };
}

export type MonthOutcome =
  | { status: 'done'; record: FileRecord & { status: 'done' }; rows: ZoneMonthRow[]; audit: MonthAudit; bytes: number }
  | { status: 'failed' | 'quarantined'; record: FileRecord & { status: 'failed' | 'quarantined' } };

export type ProcessMonth = (file: MonthFile, ctx: MonthContext) => Promise<MonthOutcome>;

const direct = <T>(work: () => Promise<T>) => work();

export async function processMonth(file: MonthFile, ctx: MonthContext): Promise<MonthOutcome> {
  const { engine } = ctx;
  const schedule = ctx.schedule ?? { acquire: direct, sum: direct };
  const record: FileRecord = {
    release: file.release, year: file.year, month: file.month, zoneSetId: ctx.zoneSetId, name: file.name,
    source: file.location, path: null, size: null, md5: file.md5 ?? '', md5Actual: null, status: 'failed', error: null,
    grid: null, nodata: null, cgerVersion, runId: ctx.runId, fetchMs: null, verifyMs: null, sumMs: null,
  };
  try {
    if (file.problem) throw new MonthFailure(file.problem, 'failed');
    const sumMonth = async (got: Acquired): Promise<MonthOutcome> => {
      Object.assign(record, { path: got.path, size: got.size, md5Actual: file.md5, fetchMs: got.fetchMs, verifyMs: got.verifyMs });
      const t0 = performance.now();
      const sums = await engine.sumRaster(got.path, { fullGrid: true, requireOdiacLattice: true, threads: ctx.threads, onNotice: ctx.log });
      record.sumMs = performance.now() - t0;
      record.grid = JSON.stringify(sums.grid);
      record.nodata = sums.nodata;
      const audit = massAudit(sums.zones.map((z) => z.sum), sums.outside!, sums.gridTotal!); // set: fullGrid
      if (audit.relError > MASS_AUDIT_TOLERANCE || !Number.isFinite(audit.relError)) {
        throw new MonthFailure(
          `mass audit failed for ${file.name}: zones ${audit.zonesTotal} + outside ${audit.outside} != grid total ${audit.gridTotal} ` +
          `(relative difference ${audit.relError.toExponential(2)} > ${MASS_AUDIT_TOLERANCE})`, 'failed', null, got.path,
        );
      }
      sums.zones.forEach((z, i) => {
        if (z.id !== engine.zones[i]?.id) throw new Error(`zone ${i} is ${z.id} in the sums but ${engine.zones[i]?.id} in the zone set`);
      });
      const rows = sums.zones.map((z) => ({ zoneId: z.id, sum: z.sum, coverage: z.coverage, cells: z.cells }));
      return { status: 'done', record: { ...record, status: 'done' }, rows, audit, bytes: got.size };
    };
    // Downloads run ahead of the summing. A local file's md5 is checked just before it is
    // summed: checking ahead only competed with decoding for the cores (bench:ingest on
    // 2 cores: 180 s ahead vs 172 s in turn for 12 full-size months).
    if (ctx.kind === 'dir') return await schedule.sum(async () => sumMonth(await verifyLocal(file)));
    const got = await schedule.acquire(() => fetchRemote(file, ctx.downloadDir, ctx.http ?? defaultHttpOptions, ctx.log));
    return await schedule.sum(() => sumMonth(got));
  } catch (err) {
    const failure = err instanceof MonthFailure ? err : new MonthFailure(errorMessage(err), 'failed');
    record.error = failure.message;
    record.md5Actual = failure.md5Actual ?? record.md5Actual;
    record.path = failure.path ?? record.path;
    return { status: failure.status, record: { ...record, status: failure.status } };
  }
}

export function massAudit(zoneSums: number[], outside: number, gridTotal: number) {
  let zonesTotal = 0;
  for (const s of zoneSums) zonesTotal += s;
  const diff = Math.abs(zonesTotal + outside - gridTotal);
  const relError = gridTotal !== 0 ? diff / Math.abs(gridTotal) : diff;
  return { gridTotal, zonesTotal, outside, relError };
}

function md5Mismatch(file: MonthFile, actual: string, where: string): MonthFailure {
  return new MonthFailure(
    `md5 mismatch for ${file.name} (${where}): the checksum list says ${file.md5}, the file has ${actual}`, 'quarantined', actual, where,
  );
}

/** Moves a bad download aside so the next run fetches it afresh; returns where it went. */
function quarantine(path: string, downloadDir: string, file: MonthFile): string {
  const target = join(downloadDir, 'quarantine', file.release, file.name);
  mkdirSync(dirname(target), { recursive: true });
  renameSync(path, target);
  return target;
}

async function verifyLocal(file: MonthFile): Promise<Acquired> {
  const t0 = performance.now();
  const actual = await md5File(file.location);
  if (actual !== file.md5) throw md5Mismatch(file, actual, file.location);
  return { path: file.location, size: statSync(file.location).size, fetchMs: null, verifyMs: performance.now() - t0 };
}

/**
 * Brings a remote month to <downloadDir>/<REL>/<YYYY>/<name>: an existing verified copy is used
 * as is; otherwise it is downloaded to `<name>.part` (resuming an interrupted part), verified,
 * and renamed. A resumed download that fails its md5 is fetched once more from scratch.
 */
async function fetchRemote(file: MonthFile, downloadDir: string, http: HttpOptions, log: (m: string) => void): Promise<Acquired> {
  const dest = join(downloadDir, file.release, String(file.year), file.name);
  const part = `${dest}.part`;
  mkdirSync(dirname(dest), { recursive: true });
  let verifyMs = 0;
  const timedMd5 = async (path: string) => {
    const t0 = performance.now();
    const md5 = await md5File(path);
    verifyMs += performance.now() - t0;
    return md5;
  };
  if (existsSync(dest)) {
    const actual = await timedMd5(dest);
    if (actual === file.md5) return { path: dest, size: statSync(dest).size, fetchMs: 0, verifyMs };
    log(`${dest} does not match its md5 (${actual}); moved to ${quarantine(dest, downloadDir, file)}, downloading again`);
  }
  const t0 = performance.now();
  for (let fresh = false; ; fresh = true) {
    let resumed: boolean;
    try {
      ({ resumed } = await downloadToPart(file.location, part, http, { onRetry: log }));
    } catch (err) {
      throw new MonthFailure(`download failed: ${errorMessage(err)}`, 'failed', null, null);
    }
    const actual = await timedMd5(part);
    if (actual === file.md5) break;
    if (resumed && !fresh) {
      log(`${file.name}: resumed download does not match its md5; downloading it again from the start`);
      rmSync(part, { force: true });
      continue;
    }
    const moved = quarantine(part, downloadDir, file);
    throw md5Mismatch(file, actual, `${file.location}, kept as ${moved}`);
  }
  renameSync(part, dest);
  return { path: dest, size: statSync(dest).size, fetchMs: performance.now() - t0 - verifyMs, verifyMs };
}
