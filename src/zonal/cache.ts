import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import type { Grid } from '../raster/types.ts';
import type { ZoneSet } from '../zones/index.ts';
import { computeCoverage } from './coverage.ts';
import type { Coverage, CoverageMethod, CoverageRun } from './types.ts';

/** Bump when the coverage algorithm or the file layout changes: old cache files are then ignored. */
export const COVERAGE_FORMAT_VERSION = 1;

const MAGIC = 'CGERCOV\n';

export interface CoverageCacheOptions {
  /** Directory of cache files (the pipeline uses `output/cache`); none: computed, not cached. */
  cacheDir?: string;
  /** Receives notices such as a corrupt cache file being rebuilt (default: stderr). */
  onNotice?: (message: string) => void;
}

/** Everything the coverage depends on. Two grids with the same geometry share a cache entry. */
function cacheKey(zoneSet: ZoneSet, grid: Grid, method: CoverageMethod) {
  return {
    formatVersion: COVERAGE_FORMAT_VERSION,
    method,
    boundaryHash: zoneSet.hash,
    // ids and names depend on the id/name fields chosen, not only on the file
    zones: zoneSet.zones.map((z) => [z.id, z.name]),
    grid: {
      width: grid.width, height: grid.height, originX: grid.originX, originY: grid.originY,
      cellWidth: grid.cellWidth, cellHeight: grid.cellHeight, crs: grid.crs.epsg ?? grid.crs.definition,
    },
  };
}

/** The cache file for this (grid, boundary file, method). */
export function coverageCachePath(zoneSet: ZoneSet, grid: Grid, method: CoverageMethod, cacheDir: string): string {
  const digest = createHash('sha256').update(JSON.stringify(cacheKey(zoneSet, grid, method))).digest('hex');
  return join(cacheDir, `coverage-${method}-v${COVERAGE_FORMAT_VERSION}-${digest.slice(0, 20)}.bin`);
}

/**
 * Returns the coverage of the zones on the grid, from the cache when a valid entry exists,
 * otherwise computed and written to the cache (atomically). A corrupt entry is rebuilt.
 * Without `cacheDir` the coverage is just computed.
 */
export async function loadOrComputeCoverage(
  zoneSet: ZoneSet, grid: Grid, method: CoverageMethod, options: CoverageCacheOptions,
): Promise<Coverage> {
  if (options.cacheDir === undefined) return computeCoverage(zoneSet, grid, method);
  const notice = options.onNotice ?? ((m: string) => process.stderr.write(m + '\n'));
  const path = coverageCachePath(zoneSet, grid, method, options.cacheDir);
  const key = JSON.stringify(cacheKey(zoneSet, grid, method));
  if (existsSync(path)) {
    try {
      return decodeCoverage(readFileSync(path), key, grid);
    } catch (err) {
      notice(`coverage cache ${path} is unusable (${(err as Error).message}): rebuilding it`);
    }
  }
  const coverage = computeCoverage(zoneSet, grid, method);
  writeFileAtomic(path, encodeCoverage(coverage, key));
  return coverage;
}

/*
 * Layout (little-endian): MAGIC (8 bytes), header length (uint32), header JSON (UTF-8, padded
 * with spaces to a multiple of 8), then the body: Int32 rowRunCounts[rows], Int32 runs[4 * runCount]
 * (zone, col0, col1, fraction offset or -1), padding to 8 bytes, Float64 fractions[].
 * The header holds the key, the window, the counts and a sha256 of the body.
 */
interface Header {
  key: string;
  zones: { id: string; name: string }[];
  method: CoverageMethod;
  row0: number; row1: number; col0: number; col1: number;
  runCount: number;
  fractionCount: number;
  bodySha256: string;
}

export function encodeCoverage(coverage: Coverage, key: string): Uint8Array {
  const rowCount = coverage.row1 - coverage.row0;
  let runCount = 0;
  let fractionCount = 0;
  for (const row of coverage.rows) {
    runCount += row.length;
    for (const run of row) if (run.fractions) fractionCount += run.fractions.length;
  }
  const intCount = rowCount + 4 * runCount;
  const intBytes = Math.ceil((intCount * 4) / 8) * 8;
  const body = new ArrayBuffer(intBytes + fractionCount * 8);
  const ints = new Int32Array(body, 0, intCount);
  const fractions = new Float64Array(body, intBytes, fractionCount);
  let i = rowCount;
  let f = 0;
  coverage.rows.forEach((row, r) => {
    ints[r] = row.length;
    for (const run of row) {
      ints[i++] = run.zone;
      ints[i++] = run.col0;
      ints[i++] = run.col1;
      ints[i++] = run.fractions ? f : -1;
      if (run.fractions) { fractions.set(run.fractions, f); f += run.fractions.length; }
    }
  });
  const bodyBytes = new Uint8Array(body);
  const header: Header = {
    key, zones: coverage.zones, method: coverage.method,
    row0: coverage.row0, row1: coverage.row1, col0: coverage.col0, col1: coverage.col1,
    runCount, fractionCount, bodySha256: createHash('sha256').update(bodyBytes).digest('hex'),
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil((MAGIC.length + 4 + json.length) / 8) * 8 - MAGIC.length - 4;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, MAGIC.length);
  return Buffer.concat([prefix, json, bodyBytes]);
}

/** Decodes a cache file, checking magic, key, sizes, checksum and run bounds; throws if anything is off. */
export function decodeCoverage(bytes: Buffer, expectedKey: string, grid: Grid): Coverage {
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not a coverage cache file');
  const jsonLength = bytes.readUInt32LE(MAGIC.length);
  const bodyStart = MAGIC.length + 4 + jsonLength;
  if (bodyStart > bytes.length || bodyStart % 8 !== 0) throw new Error('truncated header');
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, bodyStart));
  } catch {
    throw new Error('unreadable header');
  }
  if (header.key !== expectedKey) throw new Error('written for another grid, boundary file or format');
  const rowCount = header.row1 - header.row0;
  const intCount = rowCount + 4 * header.runCount;
  const intBytes = Math.ceil((intCount * 4) / 8) * 8;
  if (bytes.length !== bodyStart + intBytes + header.fractionCount * 8) throw new Error('wrong size (truncated?)');
  // Copy into an aligned buffer (Buffer slices may be unaligned for typed arrays).
  const body = new Uint8Array(bytes.length - bodyStart);
  body.set(bytes.subarray(bodyStart));
  if (createHash('sha256').update(body).digest('hex') !== header.bodySha256) throw new Error('checksum mismatch');
  const ints = new Int32Array(body.buffer, 0, intCount);
  const fractions = new Float64Array(body.buffer, intBytes, header.fractionCount);
  const rows: CoverageRun[][] = [];
  let i = rowCount;
  for (let r = 0; r < rowCount; r++) {
    const runs: CoverageRun[] = [];
    for (let k = 0; k < ints[r]; k++) {
      const zone = ints[i++], col0 = ints[i++], col1 = ints[i++], offset = ints[i++];
      if (zone < 0 || zone >= header.zones.length || col0 < 0 || col1 <= col0 || col1 > grid.width) throw new Error(`bad run in row ${header.row0 + r}`);
      if (offset >= 0 && offset + (col1 - col0) > header.fractionCount) throw new Error(`bad fraction offset in row ${header.row0 + r}`);
      runs.push({ zone, col0, col1, fractions: offset < 0 ? null : fractions.subarray(offset, offset + (col1 - col0)) });
    }
    rows.push(runs);
  }
  if (i !== intCount) throw new Error('run count mismatch');
  return {
    grid, method: header.method, zones: header.zones,
    row0: header.row0, row1: header.row1, col0: header.col0, col1: header.col1, rows,
  };
}
