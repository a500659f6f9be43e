import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZoneSet } from '../boundaries/index.ts';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import type { Grid } from '../raster/types.ts';
import { computeCoverage } from './coverage.ts';
import { coverageFromPacked } from './packed.ts';
import type { Coverage, CoverageMethod, ZoneInfo } from './types.ts';

/** Bump when the coverage algorithm or the file layout changes: old cache files are then ignored. */
export const COVERAGE_FORMAT_VERSION = 1;

const MAGIC = 'CGERCOV\n';

export interface CoverageCacheOptions {
  /** Directory of cache files (the pipeline uses `output/cache`); none: computed, not cached. */
  cacheDir?: string;
  /** Receives notices such as a corrupt cache file being rebuilt (default: stderr). */
  onNotice?: (message: string) => void;
}

/** What identifies a zone set in the cache: its file's hash and the zones' ids and names. */
export interface ZoneIdentity {
  hash: string;
  zones: ZoneInfo[];
}

/** A zone set known by its identity, its geometry loaded only when the coverage must be computed. */
export interface LazyZoneSet extends ZoneIdentity {
  load(): Promise<ZoneSet>;
}

/** Everything the coverage depends on. Two grids with the same geometry share a cache entry. */
function cacheKey(zoneSet: ZoneIdentity, grid: Grid, method: CoverageMethod) {
  return {
    formatVersion: COVERAGE_FORMAT_VERSION,
    method,
    boundaryHash: zoneSet.hash,
    // ids and names depend on the id/name fields chosen, not only on the file
    zones: zoneSet.zones.map((z) => [z.id, z.name]),
    grid: {
      width: grid.width,
      height: grid.height,
      originX: grid.originX,
      originY: grid.originY,
      cellWidth: grid.cellWidth,
      cellHeight: grid.cellHeight,
      crs: grid.crs.epsg ?? grid.crs.definition,
    },
  };
}

/** The cache file for this (grid, boundary file, method). */
export function coverageCachePath(zoneSet: ZoneIdentity, grid: Grid, method: CoverageMethod, cacheDir: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(cacheKey(zoneSet, grid, method)))
    .digest('hex');
  return join(cacheDir, `coverage-${method}-v${COVERAGE_FORMAT_VERSION}-${digest.slice(0, 20)}.bin`);
}

/**
 * Returns the coverage of the zones on the grid, from the cache when a valid entry exists,
 * otherwise computed and written to the cache (atomically). A corrupt entry is rebuilt.
 * Without `cacheDir` the coverage is just computed. A LazyZoneSet's geometry is loaded only
 * to compute.
 */
export async function loadOrComputeCoverage(
  zoneSet: ZoneSet | LazyZoneSet,
  grid: Grid,
  method: CoverageMethod,
  options: CoverageCacheOptions,
): Promise<Coverage> {
  const compute = async () => computeCoverage('load' in zoneSet ? await zoneSet.load() : zoneSet, grid, method);
  if (options.cacheDir === undefined) return compute();
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
  const coverage = await compute();
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
  row0: number;
  row1: number;
  col0: number;
  col1: number;
  runCount: number;
  fractionCount: number;
  bodySha256: string;
}

export function encodeCoverage(coverage: Coverage, key: string): Uint8Array {
  const { rowStart, runs, fractions } = coverage.packed;
  const rowCount = coverage.row1 - coverage.row0;
  const runCount = runs.length / 4;
  const intCount = rowCount + 4 * runCount;
  const intBytes = Math.ceil((intCount * 4) / 8) * 8;
  const body = new ArrayBuffer(intBytes + fractions.length * 8);
  const ints = new Int32Array(body, 0, intCount);
  for (let r = 0; r < rowCount; r++) ints[r] = rowStart[r + 1] - rowStart[r];
  ints.set(runs, rowCount);
  new Float64Array(body, intBytes, fractions.length).set(fractions);
  const bodyBytes = new Uint8Array(body);
  const header: Header = {
    key,
    zones: coverage.zones,
    method: coverage.method,
    row0: coverage.row0,
    row1: coverage.row1,
    col0: coverage.col0,
    col1: coverage.col1,
    runCount,
    fractionCount: fractions.length,
    bodySha256: createHash('sha256').update(bodyBytes).digest('hex'),
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
  const rowStart = new Int32Array(rowCount + 1);
  for (let r = 0; r < rowCount; r++) rowStart[r + 1] = rowStart[r] + ints[r];
  if (rowStart[rowCount] !== header.runCount) throw new Error('run count mismatch');
  const runs = ints.subarray(rowCount);
  for (let r = 0; r < rowCount; r++) {
    for (let k = rowStart[r]; k < rowStart[r + 1]; k++) {
      const zone = runs[4 * k],
        col0 = runs[4 * k + 1],
        col1 = runs[4 * k + 2],
        offset = runs[4 * k + 3];
      if (zone < 0 || zone >= header.zones.length || col0 < 0 || col1 <= col0 || col1 > grid.width) throw new Error(`bad run in row ${header.row0 + r}`);
      if (offset >= 0 && offset + (col1 - col0) > header.fractionCount) throw new Error(`bad fraction offset in row ${header.row0 + r}`);
    }
  }
  return coverageFromPacked(
    {
      grid,
      method: header.method,
      zones: header.zones,
      row0: header.row0,
      row1: header.row1,
      col0: header.col0,
      col1: header.col1,
    },
    { rowStart, runs, fractions },
  );
}
