import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { version } from '../common/version.ts';
import type { ZoneInfo } from './types.ts';

/**
 * Reading and checking a boundary file (validity, repairs) takes ~0.3 s for the 34 provinces,
 * a quarter of summing a month. What it found is cached per file (path and content) and fields,
 * so a run whose coverage is cached too never loads the geometry. Bump when loading or checking
 * boundaries changes what it reports (cger's version is part of the key as well).
 */
const ZONE_CHECK_FORMAT_VERSION = 2;

/** What loading a boundary file found: the zones (sorted by id), the warnings it gave, the ids it repaired. */
export interface CheckedZones {
  hash: string;
  zones: ZoneInfo[];
  warnings: string[];
  repaired: string[];
}

export interface ZoneCheckKey {
  /** The boundary file as given: warnings name it. */
  path: string;
  /** sha256 of the boundary file(s). */
  hash: string;
  idField?: string;
  nameField?: string;
}

function keyText(key: ZoneCheckKey): string {
  return JSON.stringify({
    formatVersion: ZONE_CHECK_FORMAT_VERSION,
    cger: version,
    path: resolve(key.path),
    hash: key.hash,
    idField: key.idField ?? null,
    nameField: key.nameField ?? null,
  });
}

export function checkedZonesPath(cacheDir: string, key: ZoneCheckKey): string {
  const digest = createHash('sha256').update(keyText(key)).digest('hex');
  return join(cacheDir, `zones-v${ZONE_CHECK_FORMAT_VERSION}-${digest.slice(0, 20)}.json`);
}

/** The cached check of this file and fields, or null when there is none or it is unusable (then it is redone). */
export function readCheckedZones(cacheDir: string, key: ZoneCheckKey): CheckedZones | null {
  const path = checkedZonesPath(cacheDir, key);
  if (!existsSync(path)) return null;
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8'));
    const strings = (list: unknown) => Array.isArray(list) && list.every((w) => typeof w === 'string');
    const valid =
      entry.key === keyText(key) &&
      Array.isArray(entry.zones) &&
      strings(entry.warnings) &&
      strings(entry.repaired) &&
      entry.zones.every((z: ZoneInfo) => typeof z?.id === 'string' && typeof z?.name === 'string');
    return valid ? { hash: key.hash, zones: entry.zones, warnings: entry.warnings, repaired: entry.repaired } : null;
  } catch {
    return null;
  }
}

export function writeCheckedZones(cacheDir: string, key: ZoneCheckKey, checked: CheckedZones): void {
  writeFileAtomic(
    checkedZonesPath(cacheDir, key),
    JSON.stringify({ key: keyText(key), zones: checked.zones, warnings: checked.warnings, repaired: checked.repaired }) + '\n',
  );
}
