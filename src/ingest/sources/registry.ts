import { directorySource } from './directory.ts';
import { type HttpSourceOptions, httpSource } from './http.ts';
import type { MonthSource } from './types.ts';

export type { FetchOptions, LocalFile, MonthSource } from './types.ts';

interface SourceKind {
  /** Whether `--source` names a source of this kind. */
  matches(location: string): boolean;
  open(location: string, opts: HttpSourceOptions): MonthSource;
}

/** Every kind of source, the first that matches `--source` is used (the directory last: it takes any path). */
const SOURCES: readonly SourceKind[] = [
  { matches: (l) => /^https?:\/\//i.test(l), open: httpSource },
  { matches: () => true, open: (l) => directorySource(l) },
];

export function openSource(location: string, opts: HttpSourceOptions): MonthSource {
  return SOURCES.find((s) => s.matches(location))!.open(location, opts);
}
