import { createWriteStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** How HTTP requests are retried: attempts after the first, first backoff doubling each time, inactivity timeout. */
export interface HttpOptions {
  retries: number;
  backoffMs: number;
  timeoutMs: number;
}

export const defaultHttpOptions: HttpOptions = { retries: 4, backoffMs: 1000, timeoutMs: 60_000 };

/** An HTTP failure; `retryable` for network errors, timeouts, 5xx and 429. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** fetch's own message is only "fetch failed"; the reason (ECONNREFUSED, ...) is in `cause`. */
function networkMessage(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message;
  return reason ? `${(err as Error).message} (${reason})` : (err as Error).message;
}

/** Runs `attempt` until it succeeds or fails with a non-retryable error or retries run out. */
async function withRetries<T>(opts: HttpOptions, attempt: () => Promise<T>, onRetry?: (message: string) => void): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const retryable = err instanceof HttpError ? err.retryable : true;
      if (!retryable || i >= opts.retries) throw err;
      const delay = opts.backoffMs * 2 ** i;
      onRetry?.(`${(err as Error).message}; retry ${i + 1}/${opts.retries} in ${delay} ms`);
      await sleep(delay);
    }
  }
}

function statusError(url: string, res: Response): HttpError {
  const retryable = res.status >= 500 || res.status === 429;
  return new HttpError(`HTTP ${res.status} ${res.statusText} for ${url}`, retryable, res.status);
}

/** fetch with an inactivity timeout: aborts if no response or body bytes arrive for `timeoutMs`. */
function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number) {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), timeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const done = () => clearTimeout(timer);
  const response = fetch(url, { ...init, signal: controller.signal }).catch((err) => {
    done();
    throw new HttpError(`${controller.signal.aborted ? `no response within ${timeoutMs} ms` : networkMessage(err)} for ${url}`, true);
  });
  return { response, touch, done, aborted: () => controller.signal.aborted };
}

/** GETs a small text file; null on 404. */
export async function fetchText(url: string, opts: HttpOptions, onRetry?: (m: string) => void): Promise<string | null> {
  return withRetries(
    opts,
    async () => {
      const req = fetchWithTimeout(url, {}, opts.timeoutMs);
      try {
        const res = await req.response;
        if (res.status === 404 || res.status === 410) {
          await res.body?.cancel();
          return null;
        }
        if (!res.ok) {
          await res.body?.cancel();
          throw statusError(url, res);
        }
        return await res.text();
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(`${req.aborted() ? `stalled for ${opts.timeoutMs} ms` : networkMessage(err)} reading ${url}`, true);
      } finally {
        req.done();
      }
    },
    onRetry,
  );
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export interface DownloadResult {
  bytes: number;
  /** True when some bytes came from an earlier, interrupted attempt (Range request). */
  resumed: boolean;
}

/**
 * Downloads `url` into `partPath`, resuming what is already there with a Range request.
 * Interrupted or short transfers are retried with backoff, each retry resuming; a server that
 * ignores Range (200) restarts the file. Resolves once the part holds the whole body.
 */
export async function downloadToPart(
  url: string,
  partPath: string,
  opts: HttpOptions,
  hooks: { onBytes?: (n: number) => void; onRetry?: (m: string) => void } = {},
): Promise<DownloadResult> {
  let resumed = false;
  const attempt = async (): Promise<number> => {
    const have = await fileSize(partPath);
    const req = fetchWithTimeout(url, have > 0 ? { headers: { Range: `bytes=${have}-` } } : {}, opts.timeoutMs);
    try {
      const res = await req.response;
      let total: number | null;
      let flags: 'a' | 'w';
      if (res.status === 416 && have > 0) {
        await res.body?.cancel();
        const full = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
        if (full && Number(full[1]) === have) return have; // the part was already complete
        await truncate(partPath, 0);
        throw new HttpError(`range ${have}- not satisfiable for ${url}; restarting the download`, true);
      } else if (res.status === 206) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
        if (!range || Number(range[1]) !== have) {
          await res.body?.cancel();
          await truncate(partPath, 0);
          throw new HttpError(`unexpected Content-Range "${res.headers.get('content-range')}" for ${url}; restarting`, true);
        }
        total = range[3] === '*' ? null : Number(range[3]);
        flags = 'a';
        resumed = true;
      } else if (res.ok) {
        const length = res.headers.get('content-length');
        total = length === null ? null : Number(length);
        flags = 'w';
      } else {
        await res.body?.cancel();
        throw statusError(url, res);
      }
      if (!res.body) throw new HttpError(`empty response body for ${url}`, true);
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          req.touch();
          hooks.onBytes?.(chunk.length);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, createWriteStream(partPath, { flags }));
      } catch (err) {
        throw new HttpError(`${req.aborted() ? `stalled for ${opts.timeoutMs} ms` : networkMessage(err)} downloading ${url}`, true);
      }
      const size = await fileSize(partPath);
      if (total !== null && size !== total) throw new HttpError(`download of ${url} stopped at ${size} of ${total} bytes`, true);
      return size;
    } finally {
      req.done();
    }
  };
  const bytes = await withRetries(opts, attempt, hooks.onRetry);
  return { bytes, resumed };
}
