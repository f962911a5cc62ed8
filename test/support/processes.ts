import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface HubProcess {
  process: ChildProcess;
  /** everything it printed so far, stdout and stderr */
  output(): string;
  /** resolves when its output matches, rejects after `timeoutMs` or when it exits first */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** resolves with the exit code (or the signal's name) once it has exited */
  exited: Promise<number | string>;
}

/** Spawns a real entry point of the hub (`src/main.ts all|api|worker`) as its own process. */
export function spawnHub(mode: 'all' | 'api' | 'worker', env: Record<string, string>): HubProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', mode], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const check of waiters) check();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    process: child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          waiters.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(output)) done();
        };
        const timer = setTimeout(
          () => done(new Error(`no ${String(pattern)} after ${timeoutMs} ms; output:\n${output.slice(-3_000)}`)),
          timeoutMs,
        );
        waiters.add(check);
        void exited.then((code) =>
          done(pattern.test(output) ? undefined : new Error(`exited (${code}) before ${String(pattern)}:\n${output.slice(-3_000)}`)),
        );
        check();
      });
    },
  };
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
