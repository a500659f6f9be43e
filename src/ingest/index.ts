/** Ingest stage: finds new ODIAC months at a source, sums them per zone once, keeps a kill-safe store and the province tables. */

export { type Discovery, discover, type MonthCandidate, type MonthFile } from './discover.ts';
export { defaultHttpOptions, downloadToPart, fetchText, HttpError, type HttpOptions } from './http.ts';
export { type IngestOptions, type IngestSummary, MASS_AUDIT_TOLERANCE, massAudit, type OpenZones, runIngest } from './ingest.ts';
export { checksumListName, md5File, parseChecksumList, parseMonthFileName, parseReleases, parseYears, yearDir, yearZipName } from './layout.ts';
export { acquireLock } from './lock.ts';
export { buildOutputs, type IngestReport, type MonthProblem, OUTPUT_FILES, writeOutputs } from './outputs.ts';
export type { MonthPacking } from './packings/registry.ts';
export { type CollectSummary, collectIngest } from './queue/collect.ts';
export { type EnqueueSummary, enqueueIngest } from './queue/enqueue.ts';
export { formatStatus, ingestStatus, type ReleaseStatus } from './queue/status.ts';
export { runWorker, type WorkerSummary } from './queue/worker.ts';
export { type MonthSource, openSource } from './sources/registry.ts';
export { isPostgresUrl, PostgresStore } from './store/postgres.ts';
export { connectStore, openStore, type Store, type StoredAuditYear, type StoredMonth, type StoredRun } from './store.ts';
