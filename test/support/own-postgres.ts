import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian puts PostgreSQL 15's server programs. */
export const postgresBin = process.env.TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
export const havePostgresBinaries = ['initdb', 'pg_ctl', 'postgres'].every((name) => existsSync(join(postgresBin, name)));

/**
 * A PostgreSQL cluster of a test's own (initdb into a temp folder, another port, loopback only, trust
 * auth), so a test can restart or stop it without touching the shared server on 5432. PostgreSQL
 * refuses to run as root: as root, its programs run as the `postgres` user.
 */
export interface OwnPostgres {
  port: number;
  url(database?: string): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops it (immediately) and removes its folder */
  destroy(): Promise<void>;
}

export async function startOwnPostgres(port: number): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-own-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = join(dir, 'data');
  const pg = (program: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(postgresBin, program), ...args]) : run(join(postgresBin, program), args);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    // a throwaway cluster: durability is not what the tests are about
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  const ctl = (...args: string[]) => pg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args]);
  let running = false;
  try {
    await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await ctl('-o', options, 'start');
    running = true;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async restart() {
      await ctl('-m', 'fast', '-o', options, 'restart');
    },
    async stop() {
      await ctl('-m', 'fast', 'stop');
      running = false;
    },
    async start() {
      await ctl('-o', options, 'start');
      running = true;
    },
    async destroy() {
      if (running) await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
