import { CgerError } from '../common/errors.ts';
import { provinceName } from '../common/provinces.ts';
import type { Observation } from './layouts.ts';

/** Which value wins when two files give different values for one cell; 'error' lists the conflicts and stops. */
export type Preference = 'error' | 'first' | 'newest';

export interface Conflict {
  province: string;
  year: number;
  column: string;
  kept: Observation;
  other: Observation;
}

/** Values equal up to the rounding of the exports (relative 1e-9). */
const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/**
 * Merges observations given file by file (in the order of `files`, each with its modification time)
 * into one cell per province-year-column.
 */
export function mergeObservations(batches: { file: string; mtimeMs: number; observations: Observation[] }[], prefer: Preference) {
  const cells = new Map<string, { obs: Observation; mtimeMs: number }>();
  const conflicts: Conflict[] = [];
  for (const batch of batches) {
    for (const obs of batch.observations) {
      const key = `${obs.code}/${obs.year}/${obs.column}`;
      const had = cells.get(key);
      if (!had) {
        cells.set(key, { obs, mtimeMs: batch.mtimeMs });
        continue;
      }
      if (same(had.obs.value, obs.value)) continue;
      const replace = prefer === 'newest' && batch.mtimeMs > had.mtimeMs;
      const kept = replace ? obs : had.obs,
        other = replace ? had.obs : obs;
      conflicts.push({ province: provinceName(obs.code), year: obs.year, column: obs.column, kept, other });
      if (replace) cells.set(key, { obs, mtimeMs: batch.mtimeMs });
    }
  }
  if (prefer === 'error' && conflicts.length) {
    const groups = groupConflicts(conflicts);
    const shown = groups.slice(0, 20);
    const more = groups.length > shown.length ? `\n  ... and ${groups.length - shown.length} more` : '';
    throw new CgerError(`${conflicts.length} conflicting value(s) between files (choose with --prefer first|newest):\n  ${shown.join('\n  ')}${more}`);
  }
  return { cells: [...cells.values()].map((c) => c.obs), conflicts };
}

/** One line per province, column and pair of files: the years and the first differing values. */
export function groupConflicts(conflicts: readonly Conflict[]): string[] {
  const groups = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const key = `${c.province}|${c.column}|${c.kept.source}|${c.other.source}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((list) => {
    const c = list[0];
    const years = list.map((x) => x.year).sort((a, b) => a - b);
    const span = years.length === 1 ? `${years[0]}` : `${years.length} years ${years[0]}-${years[years.length - 1]}`;
    return `${c.province} ${c.column}, ${span}: ${c.kept.source} line ${c.kept.line} has ${c.kept.value} (${c.year}), ${c.other.source} line ${c.other.line} has ${c.other.value}`;
  });
}
