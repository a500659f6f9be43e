import { errorMessage } from './errors.ts';

/**
 * better-sqlite3 is a native module, loaded only by the commands that keep a store (ingest,
 * report, demo): aggregate, panel and dml run where it could not be built. npm 11 builds it only
 * once its install script is approved (README, "Installing").
 */
const HOW_TO_FIX = 'reinstall it with its build script allowed (npm 11: `npm approve-builds`, then `npm rebuild better-sqlite3`; see the README, "Installing")';

/** Whether `err` is better-sqlite3 (or its compiled binding) failing to load. */
export function isSqliteLoadError(err: unknown): boolean {
  const message = errorMessage(err);
  return (
    /better[-_]sqlite3/.test(message) &&
    /(Cannot find (module|package)|bindings file|was compiled against|invalid ELF|cannot open shared object)/i.test(message)
  );
}

/** The message for a store that cannot be opened because the binding is missing. */
export function sqliteMissingMessage(err: unknown): string {
  return `the SQLite binding better-sqlite3 is not usable here (${errorMessage(err).split('\n')[0]}): ${HOW_TO_FIX}`;
}
