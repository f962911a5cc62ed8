import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { pollUntil } from './spawned-hub.js';

/** The machine's redis-server, for tests that stop, freeze or kill a Redis of their own (never the shared one). */
export const redisServer = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));

/** Starts a throwaway redis-server on `port` (no persistence) and waits until it answers PING. */
export async function startOwnRedis(port: number): Promise<ChildProcess> {
  if (!redisServer) throw new Error('redis-server is not installed');
  const child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await pollUntil('redis-server to answer', async () => {
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const ok = await probe.connect().then(
      () => probe.ping().then((pong) => pong === 'PONG'),
      () => false,
    );
    probe.disconnect();
    return ok;
  });
  return child;
}
