/** Ingest stage: finds new ODIAC months at a source, sums them per zone once, keeps a kill-safe store and the province tables. */
export { runIngest, type IngestOptions, type IngestSummary, type OpenZones } from './ingest.ts';
export { processMonth, massAudit, MASS_AUDIT_TOLERANCE, type ProcessMonth } from './month.ts';
export { parseYears, parseReleases, parseChecksumList, parseMonthFileName, md5File, checksumListName, yearDir } from './layout.ts';
export { discover, isUrl, type Discovery, type MonthFile } from './source.ts';
export { downloadToPart, fetchText, defaultHttpOptions, HttpError, type HttpOptions } from './http.ts';
export { Store } from './store.ts';
export { acquireLock } from './lock.ts';
export { buildOutputs, writeOutputs, OUTPUT_FILES, type IngestReport, type MonthProblem } from './outputs.ts';
export { PostgresStore, isPostgresUrl } from './store/postgres.ts';
export { enqueueIngest, type EnqueueSummary } from './queue/enqueue.ts';
export { runWorker, type WorkerSummary } from './queue/worker.ts';
export { collectIngest, type CollectSummary } from './queue/collect.ts';
export { ingestStatus, formatStatus, type ReleaseStatus } from './queue/status.ts';
