import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CgerError } from '../../common/errors.ts';
import { RELEASE_DIR_PATTERN, yearDir } from '../layout.ts';
import type { LocalFile, MonthSource } from './types.ts';

/** A release tree on a local or mounted disk: files are read where they are. */
export function directorySource(location: string): MonthSource {
  const root = resolve(location);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CgerError(`--source ${location}: not a directory or an http(s) URL`);
  const path = (release: string, year: number, name: string) => join(root, yearDir(release, year), name);
  const subdirs = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()) : []);
  return {
    kind: 'directory',
    root,
    async releases() {
      return subdirs(root)
        .map((name) => RELEASE_DIR_PATTERN.exec(name)?.[1])
        .filter((label): label is string => label !== undefined && existsSync(join(root, `odiac${label}`, '1km_tiff')))
        .sort();
    },
    async years(release) {
      return subdirs(join(root, `odiac${release}`, '1km_tiff'))
        .filter((d) => /^\d{4}$/.test(d))
        .map(Number)
        .sort((a, b) => a - b);
    },
    async names(release, year) {
      const dir = join(root, yearDir(release, year));
      return existsSync(dir) ? readdirSync(dir) : [];
    },
    async readText(release, year, name) {
      const file = path(release, year, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : null;
    },
    locate: path,
    async fetch(release, year, name): Promise<LocalFile> {
      const file = path(release, year, name);
      if (!existsSync(file)) throw new CgerError(`${file} does not exist`);
      return { location: file, path: file, size: statSync(file).size, fetchMs: null, origin: 'source' };
    },
    condemn: () => null,
    close() {},
  };
}
