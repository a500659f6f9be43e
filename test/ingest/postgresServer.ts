import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL server for a test run: `initdb` into a fresh temp directory, the server
 * listening only on a Unix socket in that directory (no TCP port to collide on), stopped and
 * removed when the process exits. initdb refuses to run as root, so under root the server runs
 * as the `postgres` user (Debian's package creates it) through `runuser`.
 */
export interface TestPostgres {
  /** Connection URL of the `postgres` maintenance database. */
  url: string;
  /** A fresh empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

export type StartResult = { server: TestPostgres } | { skip: string };

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

/** The directory holding initdb/pg_ctl: $CGER_PG_BIN, `pg_config --bindir`, or the newest /usr/lib/postgresql/<v>/bin. */
function findBinDir(): string | null {
  const candidates: string[] = [];
  if (process.env.CGER_PG_BIN) candidates.push(process.env.CGER_PG_BIN);
  const fromConfig = run('pg_config', ['--bindir']);
  if (fromConfig.ok) candidates.push(fromConfig.out);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, 'bin'));
  }
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) ?? null;
}

/** How to run the server's commands: directly, or as the `postgres` user when we are root. */
function runAs(): { prefix: string[]; uid: number; gid: number } | { skip: string } {
  if (process.getuid?.() !== 0) return { prefix: [], uid: -1, gid: -1 };
  const uid = run('id', ['-u', 'postgres']);
  const gid = run('id', ['-g', 'postgres']);
  if (!uid.ok || !gid.ok) return { skip: 'running as root and there is no `postgres` user to run initdb as' };
  if (!run('runuser', ['-u', 'postgres', '--', 'true']).ok) return { skip: 'running as root and `runuser -u postgres` does not work' };
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(uid.out), gid: Number(gid.out) };
}

let started: Promise<StartResult> | undefined;

/** Starts one server per process (later calls share it); `skip` says why none could start. */
export function startPostgres(): Promise<StartResult> {
  started ??= start();
  return started;
}

async function start(): Promise<StartResult> {
  const bin = findBinDir();
  if (!bin) return { skip: "PostgreSQL is not installed (no initdb found; install Debian's `postgresql` package or set CGER_PG_BIN)" };
  const user = runAs();
  if ('skip' in user) return user;
  const dir = mkdtempSync(join(tmpdir(), 'cger-pg-'));
  if (user.uid >= 0) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const exec = (cmd: string, args: string[]) => {
    const [head, ...rest] = [...user.prefix, join(bin, cmd), ...args];
    return run(head, rest);
  };
  const cleanup = () => rmSync(dir, { recursive: true, force: true });

  const init = exec('initdb', ['-D', data, '-A', 'trust', '-U', 'cger', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (!init.ok) {
    cleanup();
    return { skip: `initdb failed: ${init.out.split('\n').slice(-3).join(' ')}` };
  }
  // fsync off: the data is thrown away after the run. Enough connections for a few workers per test.
  const serverOptions = `-k ${dir} -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
  const startCmd = exec('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  if (!startCmd.ok) {
    cleanup();
    return { skip: `the PostgreSQL server did not start: ${startCmd.out.split('\n').slice(-3).join(' ')}` };
  }

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    cleanup();
  };
  process.on('exit', stop);
  const urlFor = (db: string) => `postgres://cger@localhost/${db}?host=${encodeURIComponent(dir)}`;
  const url = urlFor('postgres');
  return {
    server: {
      url,
      stop,
      async createDatabase(name) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await client.query(`CREATE DATABASE "${name}"`);
        } finally {
          await client.end();
        }
        return urlFor(name);
      },
    },
  };
}
