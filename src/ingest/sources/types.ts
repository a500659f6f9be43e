/** A file of a year folder on the local disk, as a source delivered it. */
export interface LocalFile {
  /** Location at the source (path or URL). */
  location: string;
  path: string;
  size: number;
  /** Time spent bringing it here (null: it was already local). */
  fetchMs: number | null;
  /**
   * `source`: the source's own file (a directory); `fresh`: downloaded whole just now; `kept`:
   * a copy from an earlier run; `resumed`: completed from an interrupted download. A copy that
   * is not `source` or `fresh` and fails its checks is fetched again from scratch once.
   */
  origin: 'source' | 'fresh' | 'kept' | 'resumed';
}

export interface FetchOptions {
  /** Discard any local copy and fetch from scratch. */
  fresh?: boolean;
  log: (message: string) => void;
}

/**
 * Where months come from: a tree `odiac<REL>/1km_tiff/<YYYY>/` of year folders, on disk or
 * behind a URL. One file per kind of source in this folder, listed in registry.ts.
 */
export interface MonthSource {
  readonly kind: string;
  /** The source as users name it (absolute directory or base URL). */
  readonly root: string;
  /** Release labels present, ascending; null when the source cannot list them (names must be given). */
  releases(): Promise<string[] | null>;
  /** Years with a folder in a release; null when the source cannot list them (the lists are probed). */
  years(release: string): Promise<number[] | null>;
  /** Names in a year folder; null when the source cannot list them (each packing is then tried in turn). */
  names(release: string, year: number): Promise<string[] | null>;
  /** A small text file of a year folder (the checksum list); null when absent. */
  readText(release: string, year: number, name: string): Promise<string | null>;
  /** Where a year-folder file is, for messages and records. */
  locate(release: string, year: number, name: string): string;
  /** Brings a year-folder file to the local disk (once per run: later calls share the copy). */
  fetch(release: string, year: number, name: string, opts: FetchOptions): Promise<LocalFile>;
  /**
   * A local copy failed its checks: it is moved aside when the run ends (other months may still
   * be reading it), so the next run fetches it anew. Returns where it will be, or null when the
   * file is the source's own and stays.
   */
  condemn(file: LocalFile, release: string): string | null;
  /** Ends the run: carries out what `condemn` scheduled. */
  close(): void;
}
