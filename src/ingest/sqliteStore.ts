import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CgerError } from '../common/errors.ts';
import { SqliteFileLock } from './sqliteLock.ts';
import type {
  FileRecord,
  FileStatus,
  LockHolder,
  MonthAudit,
  Store,
  StoredAuditYear,
  StoredMonth,
  StoredRun,
  StoredZoneMonth,
  ZoneMonthRow,
  ZoneSetRecord,
} from './store.ts';

/**
 * The store in SQLite (WAL). The ingest lock is a write transaction held on `<store>.lock`, a
 * second database, so that it never blocks the store itself; the `lock` table only names the holder.
 */

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL, host TEXT NOT NULL, run_id INTEGER,
  acquired_at TEXT NOT NULL, heartbeat_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL, finished_at TEXT,
  pid INTEGER NOT NULL, host TEXT NOT NULL, cger_version TEXT NOT NULL,
  source TEXT NOT NULL, args TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'running',
  processed INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS releases (
  label TEXT PRIMARY KEY, source TEXT NOT NULL, first_seen_run INTEGER NOT NULL, last_seen_run INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS zone_sets (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
  zone_count INTEGER NOT NULL, created_at TEXT NOT NULL,
  UNIQUE (hash, method)
);
CREATE TABLE IF NOT EXISTS zones (
  zone_set_id INTEGER NOT NULL REFERENCES zone_sets(id),
  zone_index INTEGER NOT NULL, zone_id TEXT NOT NULL, zone_name TEXT NOT NULL,
  PRIMARY KEY (zone_set_id, zone_id)
);
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY,
  release TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,
  zone_set_id INTEGER NOT NULL REFERENCES zone_sets(id),
  name TEXT NOT NULL, source TEXT NOT NULL, path TEXT, size INTEGER,
  md5 TEXT NOT NULL, md5_actual TEXT,
  status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'quarantined')), error TEXT,
  grid TEXT, nodata REAL,
  cger_version TEXT NOT NULL, run_id INTEGER NOT NULL REFERENCES runs(id),
  fetch_ms REAL, verify_ms REAL, sum_ms REAL, finished_at TEXT NOT NULL,
  UNIQUE (release, year, month, zone_set_id)
);
CREATE TABLE IF NOT EXISTS zone_month (
  release TEXT NOT NULL, zone_set_id INTEGER NOT NULL, zone_id TEXT NOT NULL,
  year INTEGER NOT NULL, month INTEGER NOT NULL,
  sum_tc REAL NOT NULL, coverage REAL NOT NULL, cells INTEGER NOT NULL,
  file_id INTEGER NOT NULL REFERENCES files(id),
  PRIMARY KEY (release, zone_set_id, zone_id, year, month)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS month_audit (
  release TEXT NOT NULL, zone_set_id INTEGER NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,
  grid_total REAL NOT NULL, zones_total REAL NOT NULL, outside REAL NOT NULL, rel_error REAL NOT NULL,
  file_id INTEGER NOT NULL REFERENCES files(id),
  PRIMARY KEY (release, zone_set_id, year, month)
) WITHOUT ROWID;
`;

/** The SQLite store; `readonly` opens an existing store for reading (the report). */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly lock: SqliteFileLock;

  constructor(
    readonly path: string,
    opts: { readonly?: boolean } = {},
  ) {
    this.lock = new SqliteFileLock(`${path}.lock`);
    if (opts.readonly) {
      if (!existsSync(path)) throw new CgerError(`ingest store not found: ${path} (run \`cger ingest\` first, or pass --db)`);
      try {
        this.db = new Database(path, { readonly: true, fileMustExist: true });
      } catch (err) {
        throw new CgerError(`${path}: cannot open the ingest store: ${(err as Error).message}`);
      }
      this.checkVersion(this.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as string | undefined);
      return;
    }
    mkdirSync(dirname(path) || '.', { recursive: true });
    try {
      this.db = new Database(path);
      // busy_timeout first: two ingests opening a new store at once contend for the WAL switch.
      this.db.pragma('busy_timeout = 10000');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
    } catch (err) {
      throw new CgerError(`${path}: cannot open the ingest store: ${(err as Error).message}`);
    }
    const version = this.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as string | undefined;
    if (version === undefined) this.db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)`).run(SCHEMA_VERSION);
    else this.checkVersion(version);
  }

  private checkVersion(version: string | undefined): void {
    if (version !== SCHEMA_VERSION) throw new CgerError(`${this.path}: store schema version ${version ?? 'unknown'}, this cger expects ${SCHEMA_VERSION}`);
  }

  close(): void {
    this.lock.release();
    this.db.close();
  }

  tryLock(holder: LockHolder): boolean {
    if (!this.lock.tryTake()) return false;
    this.db
      .prepare(`INSERT OR REPLACE INTO lock (id, pid, host, run_id, acquired_at, heartbeat_at) VALUES (1, ?, ?, NULL, ?, ?)`)
      .run(holder.pid, holder.host, holder.since, Date.now());
    return true;
  }

  lockHolder(): LockHolder | null {
    const row = this.db.prepare(`SELECT pid, host, acquired_at AS since FROM lock WHERE id = 1`).get() as LockHolder | undefined;
    return row ?? null;
  }

  setLockRun(runId: number): void {
    this.db.prepare(`UPDATE lock SET run_id = ? WHERE id = 1 AND pid = ?`).run(runId, process.pid);
  }

  unlock(): void {
    this.db.prepare(`DELETE FROM lock WHERE id = 1 AND pid = ?`).run(process.pid);
    this.lock.release();
  }

  startRun(source: string, args: unknown, cgerVersion: string): number {
    const info = this.db
      .prepare(`INSERT INTO runs (started_at, pid, host, cger_version, source, args) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(new Date().toISOString(), process.pid, hostname(), cgerVersion, source, JSON.stringify(args));
    return Number(info.lastInsertRowid);
  }

  finishRun(runId: number, status: string, counts: { processed: number; skipped: number; failed: number }): void {
    this.db
      .prepare(`UPDATE runs SET finished_at = ?, status = ?, processed = ?, skipped = ?, failed = ? WHERE id = ?`)
      .run(new Date().toISOString(), status, counts.processed, counts.skipped, counts.failed, runId);
  }

  noteRelease(label: string, source: string, runId: number): void {
    this.db
      .prepare(
        `INSERT INTO releases (label, source, first_seen_run, last_seen_run) VALUES (?, ?, ?, ?)
       ON CONFLICT (label) DO UPDATE SET source = excluded.source, last_seen_run = excluded.last_seen_run`,
      )
      .run(label, source, runId, runId);
  }

  /** The zone set for a boundary hash and method, created with its zones on first use. */
  zoneSet(hash: string, method: string, path: string, zones: { id: string; name: string }[]): ZoneSetRecord {
    return this.db
      .transaction(() => {
        const found = this.findZoneSet(hash, method);
        if (found) return found;
        const id = Number(
          this.db
            .prepare(`INSERT INTO zone_sets (hash, method, path, zone_count, created_at) VALUES (?, ?, ?, ?, ?)`)
            .run(hash, method, path, zones.length, new Date().toISOString()).lastInsertRowid,
        );
        const insert = this.db.prepare(`INSERT INTO zones (zone_set_id, zone_index, zone_id, zone_name) VALUES (?, ?, ?, ?)`);
        zones.forEach((z, i) => insert.run(id, i, z.id, z.name));
        return { id, hash, method, path };
      })
      .immediate();
  }

  findZoneSet(hash: string, method: string): ZoneSetRecord | undefined {
    return this.db.prepare(`SELECT id, hash, method, path FROM zone_sets WHERE hash = ? AND method = ?`).get(hash, method) as ZoneSetRecord | undefined;
  }

  /** The processing record of a month for a zone set, if any. */
  fileStatus(release: string, year: number, month: number, zoneSetId: number): { status: FileStatus; md5: string } | undefined {
    return this.db
      .prepare(`SELECT status, md5 FROM files WHERE release = ? AND year = ? AND month = ? AND zone_set_id = ?`)
      .get(release, year, month, zoneSetId) as { status: FileStatus; md5: string } | undefined;
  }

  private upsertFile(f: FileRecord): number {
    this.db
      .prepare(
        `INSERT INTO files (release, year, month, zone_set_id, name, source, path, size, md5, md5_actual, status, error,
         grid, nodata, cger_version, run_id, fetch_ms, verify_ms, sum_ms, finished_at)
       VALUES (@release, @year, @month, @zoneSetId, @name, @source, @path, @size, @md5, @md5Actual, @status, @error,
         @grid, @nodata, @cgerVersion, @runId, @fetchMs, @verifyMs, @sumMs, @finishedAt)
       ON CONFLICT (release, year, month, zone_set_id) DO UPDATE SET
         name = excluded.name, source = excluded.source, path = excluded.path, size = excluded.size, md5 = excluded.md5,
         md5_actual = excluded.md5_actual, status = excluded.status, error = excluded.error, grid = excluded.grid,
         nodata = excluded.nodata, cger_version = excluded.cger_version, run_id = excluded.run_id,
         fetch_ms = excluded.fetch_ms, verify_ms = excluded.verify_ms, sum_ms = excluded.sum_ms, finished_at = excluded.finished_at`,
      )
      .run({ ...f, finishedAt: new Date().toISOString() });
    return this.db
      .prepare(`SELECT id FROM files WHERE release = ? AND year = ? AND month = ? AND zone_set_id = ?`)
      .pluck()
      .get(f.release, f.year, f.month, f.zoneSetId) as number;
  }

  private deleteMonth(release: string, zoneSetId: number, year: number, month: number): void {
    this.db.prepare(`DELETE FROM zone_month WHERE release = ? AND zone_set_id = ? AND year = ? AND month = ?`).run(release, zoneSetId, year, month);
    this.db.prepare(`DELETE FROM month_audit WHERE release = ? AND zone_set_id = ? AND year = ? AND month = ?`).run(release, zoneSetId, year, month);
  }

  /** Commits a processed month: its zone rows, its audit and its file record, all or nothing. */
  commitMonth(f: FileRecord & { status: 'done' }, rows: ZoneMonthRow[], audit: MonthAudit): void {
    this.db
      .transaction(() => {
        const fileId = this.upsertFile(f);
        this.deleteMonth(f.release, f.zoneSetId, f.year, f.month);
        const insert = this.db.prepare(
          `INSERT INTO zone_month (release, zone_set_id, zone_id, year, month, sum_tc, coverage, cells, file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const r of rows) insert.run(f.release, f.zoneSetId, r.zoneId, f.year, f.month, r.sum, r.coverage, r.cells, fileId);
        this.db
          .prepare(
            `INSERT INTO month_audit (release, zone_set_id, year, month, grid_total, zones_total, outside, rel_error, file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(f.release, f.zoneSetId, f.year, f.month, audit.gridTotal, audit.zonesTotal, audit.outside, audit.relError, fileId);
      })
      .immediate();
  }

  /**
   * Records a failed month. Its earlier rows (from a file the checksum list no longer names)
   * are removed in the same transaction, so outputs never mix in a superseded file.
   */
  failMonth(f: FileRecord & { status: 'failed' | 'quarantined' }): void {
    this.db
      .transaction(() => {
        this.upsertFile(f);
        this.deleteMonth(f.release, f.zoneSetId, f.year, f.month);
      })
      .immediate();
  }

  zoneMonths(release: string, zoneSetId: number): StoredZoneMonth[] {
    return this.db
      .prepare(
        `SELECT m.zone_id AS zoneId, z.zone_name AS zoneName, z.zone_index AS zoneIndex, m.year, m.month, m.sum_tc AS sumTc, m.coverage
         FROM zone_month m JOIN zones z ON z.zone_set_id = m.zone_set_id AND z.zone_id = m.zone_id
        WHERE m.release = ? AND m.zone_set_id = ? AND m.cells > 0
        ORDER BY m.year, m.month, z.zone_index`,
      )
      .all(release, zoneSetId) as StoredZoneMonth[];
  }

  months(release: string, zoneSetId: number): StoredMonth[] {
    return this.db
      .prepare(`SELECT year, month, name, md5, size, status, error FROM files WHERE release = ? AND zone_set_id = ? ORDER BY year, month`)
      .all(release, zoneSetId) as StoredMonth[];
  }

  years(release: string, zoneSetId: number): number[] {
    return this.db.prepare(`SELECT DISTINCT year FROM files WHERE release = ? AND zone_set_id = ? ORDER BY year`).pluck().all(release, zoneSetId) as number[];
  }

  auditByYear(release: string, zoneSetId: number): StoredAuditYear[] {
    return this.db
      .prepare(
        `SELECT year, COUNT(*) AS months, SUM(grid_total) AS gridTotal, SUM(zones_total) AS zonesTotal,
              SUM(outside) AS outside, MAX(ABS(rel_error)) AS maxRelError
         FROM month_audit WHERE release = ? AND zone_set_id = ? GROUP BY year ORDER BY year`,
      )
      .all(release, zoneSetId) as StoredAuditYear[];
  }

  runs(): StoredRun[] {
    return this.db
      .prepare(`SELECT id, started_at AS startedAt, finished_at AS finishedAt, status, cger_version AS cgerVersion, processed FROM runs ORDER BY id`)
      .all() as StoredRun[];
  }
}
