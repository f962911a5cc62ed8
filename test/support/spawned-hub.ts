import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import { adminUrl, databaseUrl, redisUrl } from './urls.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the process ended */
  at: number;
}

/** A hub started the way an operator starts it: `node --import tsx src/main.ts <mode>`. */
export interface HubProcess {
  child: ChildProcess;
  /** everything it wrote so far, stdout and stderr */
  output(): string;
  /** resolves with the first match of the pattern in its output; rejects if it exits or the time runs out */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** waits for the "listening" line and answers the base URL it names */
  listening(timeoutMs?: number): Promise<string>;
  /** sends a signal; answers Date.now() at the moment it was sent */
  signal(signal: NodeJS.Signals): number;
  exited: Promise<Exit>;
  alive(): boolean;
  /** cleanup: SIGKILL if still running, then delete its queue keys (its own prefix) from Redis */
  kill(): Promise<void>;
}

export type HubMode = 'all' | 'api' | 'worker';

/**
 * Spawns a real hub process. NODE_ENV is production (Apollo's own signal handling is on, as in
 * production), PORT 0 on loopback, a queue prefix of its own on the shared Redis; `env` overrides.
 */
export function spawnHub(mode: HubMode, env: Record<string, string>, options: { compiled?: boolean; viaNpm?: boolean } = {}): HubProcess {
  const redis = env.REDIS_URL ?? redisUrl();
  const prefix = env.HUB_QUEUE_PREFIX ?? `proc-${randomBytes(4).toString('hex')}`;
  // compiled: the JavaScript `npm run build` leaves in dist/, as the production image runs it
  const entry = options.compiled ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  // viaNpm: as an operator types it (npm start, npm run start:api), the signal going to npm itself
  const [command, args] = options.viaNpm
    ? ['npm', ['run', '--silent', mode === 'all' ? 'start' : `start:${mode}`]]
    : [process.execPath, [...entry, mode]];
  const child = spawn(command, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redis,
      HUB_QUEUE_PREFIX: prefix,
      HUB_NOW: '2023-07-01T10:00:00+08:00',
      HUB_ALLOW_LOOPBACK_TARGETS: 'true',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const watchers = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const watcher of watchers) watcher();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let ended: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = { code, signal, at: Date.now() };
      for (const watcher of watchers) watcher();
      resolve(ended);
    });
  });

  const waitFor = (pattern: RegExp, timeoutMs = 45_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`no ${pattern} from the hub within ${timeoutMs} ms; its output:\n${text}`));
      }, timeoutMs);
      const check = () => {
        const match = pattern.exec(text);
        if (match || ended) {
          clearTimeout(timer);
          watchers.delete(check);
          if (match) resolve(match);
          else reject(new Error(`the hub exited (${ended!.code ?? ended!.signal}) before ${pattern}; its output:\n${text}`));
        }
      };
      watchers.add(check);
      check();
    });

  return {
    child,
    output: () => text,
    waitFor,
    listening: async (timeoutMs) => (await waitFor(/GraphQL at (http:\/\/\S+)\/graphql/, timeoutMs))[1],
    signal(signal) {
      const at = Date.now();
      child.kill(signal);
      return at;
    },
    exited,
    alive: () => !ended,
    async kill() {
      if (!ended) {
        child.kill('SIGKILL');
        await exited;
      }
      await deleteKeys(redis, `${prefix}:*`);
    },
  };
}

/** Deletes the keys a spawned hub left (its reminder jobs, schedulers); quietly nothing if Redis is not there. */
async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } catch {
    // Redis unreachable: nothing was written there either
  } finally {
    redis.disconnect();
  }
}

/** Waits for the process to end, at most `timeoutMs`; undefined if it is still running then. */
export async function exitWithin(hub: HubProcess, timeoutMs: number): Promise<Exit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([hub.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh clone of the migrated template database (as test/support/hub.ts makes), for a spawned hub. */
export async function cloneDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const template = inject('templateDatabase');
  const name = `hub_test_${template.slice('hub_template_'.length)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      const cleanup = new pg.Client({ connectionString: adminUrl() });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` answers a truthy value; throws with `what` when the time runs out. */
export async function pollUntil<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
