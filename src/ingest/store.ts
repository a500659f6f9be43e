/**
 * The ingest store: what was processed (files, with md5 and timings), against which boundaries
 * (zone sets: file hash + method), the per-zone monthly sums, the per-month mass audit, and runs.
 * A month's rows, its audit and its file status are written in one transaction, so a kill at
 * any instant leaves either the whole month or nothing. Only the implementations (SQLite in
 * sqliteStore.ts, the embedded default; PostgreSQL in store/postgres.ts, for several machines)
 * know the schema; the rest of cger asks through this interface.
 */

import { dirname, join } from 'node:path';
import { SqliteStore } from './sqliteStore.ts';
import { isPostgresUrl, PostgresStore } from './store/postgres.ts';

export type FileStatus = 'done' | 'failed' | 'quarantined';

export interface ZoneSetRecord {
  id: number;
  hash: string;
  method: string;
  path: string;
}

export interface FileRecord {
  release: string;
  year: number;
  month: number;
  zoneSetId: number;
  name: string;
  /** Where the file came from (path or URL; for a zip entry, the archive's). */
  source: string;
  /** Local path that was read (null when it never reached the disk). */
  path: string | null;
  size: number | null;
  /** md5 from the release's checksum list. */
  md5: string;
  /** md5 of the bytes actually read (differs on a mismatch). */
  md5Actual: string | null;
  status: FileStatus;
  error: string | null;
  grid: string | null;
  nodata: number | null;
  cgerVersion: string;
  runId: number;
  fetchMs: number | null;
  verifyMs: number | null;
  sumMs: number | null;
}

export interface ZoneMonthRow {
  zoneId: string;
  sum: number;
  coverage: number;
  cells: number;
}

export interface MonthAudit {
  gridTotal: number;
  zonesTotal: number;
  outside: number;
  relError: number;
}

/** A zone's sum in a month, as the outputs list them (zones with cells on the raster only). */
export interface StoredZoneMonth {
  zoneId: string;
  zoneName: string;
  zoneIndex: number;
  year: number;
  month: number;
  sumTc: number;
  coverage: number;
}

/** A month's processing record as the outputs and the report show it. */
export interface StoredMonth {
  year: number;
  month: number;
  name: string;
  md5: string;
  size: number | null;
  status: FileStatus;
  error: string | null;
}

/** The mass audit of a year's months, summed. */
export interface StoredAuditYear {
  year: number;
  months: number;
  gridTotal: number;
  zonesTotal: number;
  outside: number;
  maxRelError: number;
}

export interface StoredRun {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  cgerVersion: string;
  processed: number;
}

/** Who holds the ingest lock: information for messages only (the lock itself is the operating system's). */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** A store answers at once (SQLite) or asynchronously (PostgreSQL); callers await either. */
export type Awaitable<T> = T | Promise<T>;

export interface Store {
  readonly path: string;
  close(): Awaitable<void>;

  /**
   * Takes the store's exclusive ingest lock if it is free, recording `holder` for others'
   * messages; false when another process holds it. The operating system releases it when the
   * holding process dies, however it dies.
   */
  tryLock(holder: LockHolder): Awaitable<boolean>;
  /** The holder recorded by the last process that took the lock (it may since have died). */
  lockHolder(): Awaitable<LockHolder | null>;
  setLockRun(runId: number): Awaitable<void>;
  unlock(): Awaitable<void>;

  startRun(source: string, args: unknown, cgerVersion: string): Awaitable<number>;
  finishRun(runId: number, status: string, counts: { processed: number; skipped: number; failed: number }): Awaitable<void>;
  noteRelease(label: string, source: string, runId: number): Awaitable<void>;

  /** The zone set for a boundary hash and method, created with its zones on first use. */
  zoneSet(hash: string, method: string, path: string, zones: { id: string; name: string }[]): Awaitable<ZoneSetRecord>;
  /** The zone set for a boundary hash and method, if the store has it. */
  findZoneSet(hash: string, method: string): Awaitable<ZoneSetRecord | undefined>;

  /** The processing record of a month for a zone set, if any. */
  fileStatus(release: string, year: number, month: number, zoneSetId: number): Awaitable<{ status: FileStatus; md5: string } | undefined>;
  /** Commits a processed month: its zone rows, its audit and its file record, all or nothing. */
  commitMonth(f: FileRecord & { status: 'done' }, rows: ZoneMonthRow[], audit: MonthAudit): Awaitable<void>;
  /** Records a failed month and removes its earlier rows in the same transaction. */
  failMonth(f: FileRecord & { status: 'failed' | 'quarantined' }): Awaitable<void>;

  /** Zone sums of a release and zone set, zones with cells only, ordered by year, month and zone. */
  zoneMonths(release: string, zoneSetId: number): Awaitable<StoredZoneMonth[]>;
  /** Every month recorded for a release and zone set, by year and month. */
  months(release: string, zoneSetId: number): Awaitable<StoredMonth[]>;
  /** Years with any recorded month, ascending. */
  years(release: string, zoneSetId: number): Awaitable<number[]>;
  /** Mass audits summed per year, ascending. */
  auditByYear(release: string, zoneSetId: number): Awaitable<StoredAuditYear[]>;
  runs(): Awaitable<StoredRun[]>;
}

/** Opens the SQLite store at `path` (created on first use unless `readonly`). */
export function openStore(path: string, opts: { readonly?: boolean } = {}): SqliteStore {
  return new SqliteStore(path, opts);
}

interface StoreKind {
  /** Whether `--db` names a store of this kind. */
  matches(location: string): boolean;
  open(location: string, opts: { readonly?: boolean }): Promise<Store>;
  /** This host's coverage cache for a run on this store (caches are per host, never in a shared store). */
  cacheDir(location: string, outDir: string): string;
}

/** Every kind of store, the first that matches `--db` is used (SQLite last: it takes any path). */
const STORES: readonly StoreKind[] = [
  { matches: isPostgresUrl, open: (l) => PostgresStore.open(l), cacheDir: (_, outDir) => join(outDir, 'cache') },
  { matches: () => true, open: async (l, o) => openStore(l, o), cacheDir: (l) => join(dirname(l), 'cache') },
];

export function hostCacheDir(location: string, outDir: string): string {
  return STORES.find((s) => s.matches(location))!.cacheDir(location, outDir);
}

/** Opens the store `--db` names: a postgres:// URL (shared by several machines) or a SQLite file. */
export function connectStore(location: string, opts: { readonly?: boolean } = {}): Promise<Store> {
  return STORES.find((s) => s.matches(location))!.open(location, opts);
}
