import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CgerError, errorMessage } from '../../common/errors.ts';
import { downloadToPart, fetchText, type HttpOptions } from '../http.ts';
import { yearDir } from '../layout.ts';
import type { FetchOptions, LocalFile, MonthSource } from './types.ts';

export interface HttpSourceOptions {
  http: HttpOptions;
  /** Downloads are kept in <downloadDir>/<REL>/<YYYY>/, bad ones moved to <downloadDir>/quarantine/<REL>/. */
  downloadDir: string;
  onRetry?: (message: string) => void;
}

/**
 * A release tree behind an http(s) URL. Servers give no listing, so releases must be named and
 * years are probed through their checksum lists. A file is downloaded once into the download
 * folder (resuming an interrupted `.part` with Range requests) and read from there.
 */
export function httpSource(location: string, opts: HttpSourceOptions): MonthSource {
  const root = location.endsWith('/') ? location : `${location}/`;
  const url = (release: string, year: number, name: string) => new URL(`${yearDir(release, year)}/${name}`, root).href;
  const downloads = new Map<string, Promise<LocalFile>>();
  const condemned = new Map<string, string>();

  const download = async (release: string, year: number, name: string, fresh: boolean, log: (m: string) => void): Promise<LocalFile> => {
    const location = url(release, year, name);
    const dest = join(opts.downloadDir, release, String(year), name);
    const part = `${dest}.part`;
    mkdirSync(dirname(dest), { recursive: true });
    if (fresh) rmSync(dest, { force: true });
    if (existsSync(dest)) return { location, path: dest, size: statSync(dest).size, fetchMs: 0, origin: 'kept' };
    if (fresh) rmSync(part, { force: true });
    const t0 = performance.now();
    let resumed: boolean;
    try {
      ({ resumed } = await downloadToPart(location, part, opts.http, { onRetry: log }));
    } catch (err) {
      throw new CgerError(`download failed: ${errorMessage(err)}`);
    }
    renameSync(part, dest);
    return { location, path: dest, size: statSync(dest).size, fetchMs: performance.now() - t0, origin: resumed ? 'resumed' : 'fresh' };
  };

  return {
    kind: 'http',
    root,
    releases: async () => null,
    years: async () => null,
    names: async () => null,
    readText: (release, year, name) => fetchText(url(release, year, name), opts.http, opts.onRetry),
    locate: url,
    async fetch(release, year, name, fetchOpts: FetchOptions) {
      const key = `${release}/${year}/${name}`;
      const earlier = downloads.get(key);
      if (earlier && fetchOpts.fresh) {
        const had = await earlier.catch(() => null);
        if (had?.origin === 'fresh') return had; // fetched whole in this run already: what it holds is what the server has
      }
      if (!earlier || fetchOpts.fresh) {
        const pending = download(release, year, name, Boolean(fetchOpts.fresh), fetchOpts.log);
        downloads.set(key, pending);
        return pending;
      }
      return earlier;
    },
    condemn(file, release) {
      const target = join(opts.downloadDir, 'quarantine', release, basename(file.path));
      condemned.set(file.path, target);
      return target;
    },
    close() {
      for (const [path, target] of condemned) {
        if (!existsSync(path)) continue;
        mkdirSync(dirname(target), { recursive: true });
        renameSync(path, target);
      }
      condemned.clear();
    },
  };
}
