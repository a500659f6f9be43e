import type { Grid, RowEnds } from '../raster/types.ts';
import type { Coverage, CoverageMethod, CoverageRun, PackedRuns, ZoneInfo } from './types.ts';

/** What a coverage is besides its runs. */
export type CoverageFrame = Pick<Coverage, 'grid' | 'method' | 'zones' | 'row0' | 'row1' | 'col0' | 'col1'>;

function packRuns(rows: CoverageRun[][]): PackedRuns {
  const rowStart = new Int32Array(rows.length + 1);
  let runCount = 0;
  let fractionCount = 0;
  rows.forEach((row, r) => {
    rowStart[r] = runCount;
    runCount += row.length;
    for (const run of row) fractionCount += run.fractions?.length ?? 0;
  });
  rowStart[rows.length] = runCount;
  const runs = new Int32Array(4 * runCount);
  const fractions = new Float64Array(fractionCount);
  let k = 0;
  let f = 0;
  for (const row of rows) {
    for (const run of row) {
      runs[k++] = run.zone;
      runs[k++] = run.col0;
      runs[k++] = run.col1;
      runs[k++] = run.fractions ? f : -1;
      if (run.fractions) {
        fractions.set(run.fractions, f);
        f += run.fractions.length;
      }
    }
  }
  return { rowStart, runs, fractions };
}

function unpackRuns({ rowStart, runs, fractions }: PackedRuns): CoverageRun[][] {
  const rows: CoverageRun[][] = [];
  for (let i = 0; i + 1 < rowStart.length; i++) {
    const row: CoverageRun[] = [];
    for (let k = rowStart[i]; k < rowStart[i + 1]; k++) {
      const col0 = runs[4 * k + 1],
        col1 = runs[4 * k + 2],
        offset = runs[4 * k + 3];
      row.push({ zone: runs[4 * k], col0, col1, fractions: offset < 0 ? null : fractions.subarray(offset, offset + col1 - col0) });
    }
    rows.push(row);
  }
  return rows;
}

/** A coverage from its runs as objects (as computed). */
export function coverageFromRows(frame: CoverageFrame, rows: CoverageRun[][]): Coverage {
  return { ...frame, packed: packRuns(rows), rows };
}

/** A coverage from packed runs (as cached); the run objects are built only if asked for. */
export function coverageFromPacked(frame: CoverageFrame, packed: PackedRuns): Coverage {
  let rows: CoverageRun[][] | undefined;
  return {
    ...frame,
    packed,
    get rows() {
      rows ??= unpackRuns(packed);
      return rows;
    },
  };
}

/** A coverage with no cells on the grid. */
export function emptyCoverage(grid: Grid, method: CoverageMethod, zones: ZoneInfo[]): Coverage {
  return coverageFromRows({ grid, method, zones, row0: 0, row1: 0, col0: 0, col1: 0 }, []);
}

/** How far each row of the coverage window is needed: to the end of its rightmost run (0: no run). */
export function coverageRowEnds(coverage: Coverage): RowEnds {
  const { rowStart, runs } = coverage.packed;
  const colEnd = new Int32Array(coverage.row1 - coverage.row0);
  for (let i = 0; i < colEnd.length; i++) {
    for (let k = rowStart[i]; k < rowStart[i + 1]; k++) colEnd[i] = Math.max(colEnd[i], runs[4 * k + 2]);
  }
  return { row0: coverage.row0, colEnd };
}
