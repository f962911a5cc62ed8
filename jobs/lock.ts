import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Lock {
  release(): Promise<void>;
}

// delete or extend the key only while it still holds our token
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const extendScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A Redis lock that expires if its holder dies, and is extended while the holder works.
 * Undefined when someone else holds it.
 */
export async function acquireLock(redis: Redis, key: string, ttlMs: number): Promise<Lock | undefined> {
  const token = randomBytes(16).toString('hex');
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;
  const renew = setInterval(
    () => {
      redis.eval(extendScript, 1, key, token, String(ttlMs)).catch(() => undefined);
    },
    Math.max(ttlMs / 3, 100),
  );
  renew.unref();
  return {
    async release() {
      clearInterval(renew);
      await redis.eval(releaseScript, 1, key, token);
    },
  };
}
