/** Ingest stage: finds new ODIAC months at a source, sums them per zone once, keeps a kill-safe store and the province tables. */
export { runIngest, massAudit, MASS_AUDIT_TOLERANCE, type IngestOptions, type IngestSummary, type OpenZones } from './ingest.ts';
export { parseYears, parseReleases, parseChecksumList, parseMonthFileName, md5File, checksumListName, yearDir, yearZipName } from './layout.ts';
export { discover, type Discovery, type MonthFile, type MonthCandidate } from './discover.ts';
export { openSource, type MonthSource } from './sources/registry.ts';
export type { MonthPacking } from './packings/registry.ts';
export { downloadToPart, fetchText, defaultHttpOptions, HttpError, type HttpOptions } from './http.ts';
export { openStore, connectStore, type Store, type StoredMonth, type StoredAuditYear, type StoredRun } from './store.ts';
export { acquireLock } from './lock.ts';
export { buildOutputs, writeOutputs, OUTPUT_FILES, type IngestReport, type MonthProblem } from './outputs.ts';
export { PostgresStore, isPostgresUrl } from './store/postgres.ts';
export { enqueueIngest, type EnqueueSummary } from './queue/enqueue.ts';
export { runWorker, type WorkerSummary } from './queue/worker.ts';
export { collectIngest, type CollectSummary } from './queue/collect.ts';
export { ingestStatus, formatStatus, type ReleaseStatus } from './queue/status.ts';
