import Database from 'better-sqlite3';

/**
 * An exclusive lock held as an open write transaction on a small SQLite database next to the
 * store. SQLite takes it with an operating-system file lock, so it is released when the holding
 * process ends however it ends (kill -9, crash, container stop): nothing stale is left behind.
 */
export class SqliteFileLock {
  private db: Database.Database | null = null;

  constructor(readonly path: string) {}

  /** Takes the lock if no other connection holds it; true when held (also when already held here). */
  tryTake(): boolean {
    if (this.db) return true;
    const db = new Database(this.path);
    try {
      db.pragma('busy_timeout = 0');
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
      throw err;
    }
    this.db = db;
    return true;
  }

  release(): void {
    if (!this.db) return;
    this.db.exec('ROLLBACK');
    this.db.close();
    this.db = null;
  }
}
