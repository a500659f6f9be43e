import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/**
 * A static file server for tests on 127.0.0.1 (ephemeral port) with Range support and
 * injectable faults: answer 503 to the first request for some paths, or cut the first
 * response for some paths after half its bytes (the client must resume with Range).
 */
export interface TestServerOptions {
  /** URL paths (e.g. "/odiac2099/1km_tiff/2011/x.tif.gz") whose first request gets 503. */
  fail503Once?: string[];
  /** URL paths whose first response is cut after half the body. */
  cutOnce?: string[];
  /** Slow every file body down: send `chunk` bytes every `delayMs` (for kill tests). */
  throttle?: { chunk: number; delayMs: number };
}

export interface TestServer {
  url: string;
  /** Every request: path, Range header, status. */
  log: { path: string; range: string | null; status: number }[];
  close(): Promise<void>;
}

export async function startTestServer(root: string, opts: TestServerOptions = {}): Promise<TestServer> {
  const failed = new Set<string>();
  const cut = new Set<string>();
  const log: TestServer['log'] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const range = req.headers.range ?? null;
    const finish = (status: number) => log.push({ path, range, status });
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    if (opts.fail503Once?.includes(path) && !failed.has(path)) {
      failed.add(path);
      finish(503);
      res.writeHead(503).end('busy');
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      finish(404);
      res.writeHead(404).end('not found');
      return;
    }
    const data = readFileSync(file);
    let start = 0;
    let status = 200;
    const headers: Record<string, string | number> = { 'accept-ranges': 'bytes' };
    if (range) {
      const m = /^bytes=(\d+)-$/.exec(range);
      if (!m || Number(m[1]) >= data.length) {
        finish(416);
        res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
        return;
      }
      start = Number(m[1]);
      status = 206;
      headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    }
    const body = data.subarray(start);
    headers['content-length'] = body.length;
    finish(status);
    res.writeHead(status, headers);
    if (opts.cutOnce?.includes(path) && !cut.has(path)) {
      cut.add(path);
      // Close a little after the bytes, so the client has stored them before it sees the cut.
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.end(), 100));
      return;
    }
    if (!opts.throttle) {
      res.end(body);
      return;
    }
    const { chunk, delayMs } = opts.throttle;
    let offset = 0;
    const pump = () => {
      if (res.destroyed) return;
      if (offset >= body.length) {
        res.end();
        return;
      }
      res.write(body.subarray(offset, offset + chunk));
      offset += chunk;
      setTimeout(pump, delayMs);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
