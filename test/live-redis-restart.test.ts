import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/app.js';
import type { ProgressChange } from '../src/live/live.service.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { obs } from './support/sample-data.js';
import { redisServer, startOwnRedis } from './support/own-redis.js';
import { freePort } from './support/spawned-hub.js';

/**
 * Live events between processes (issue 14) through a Redis of the test's own that is killed and
 * started again: while it is away a push still answers at once and its own process still hears it;
 * once it is back, the other process hears pushes again (its subscriber subscribed again by itself).
 */

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!) {
    submitObservations(planCode: "shangrao-2023", input: $input) {
      created
    }
  }
`;

/** Reads a stream with a deadline per read; a read that timed out is kept for the next one (never lost). */
function reader(stream: AsyncIterator<ProgressChange>) {
  let pending: Promise<IteratorResult<ProgressChange>> | undefined;
  return async (ms: number): Promise<ProgressChange | undefined> => {
    pending ??= stream.next();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
    try {
      const result = await Promise.race([pending, timeout]);
      if (result === 'timeout') return undefined;
      pending = undefined;
      return result.done ? undefined : result.value;
    } finally {
      clearTimeout(timer);
    }
  };
}

if (!redisServer) {
  describe('live events through a Redis restart', () => {
    it.skip('needs redis-server (/usr/bin or /usr/local/bin): not found, so not run', () => undefined);
  });
} else {
  describe('live events through a Redis restart', () => {
    let redis: ChildProcess;
    let port: number;
    let t: TestHub;
    let replica: Hub;
    let hrss: string;

    const startRedis = async () => {
      redis = await startOwnRedis(port);
    };
    const push = async (ref: string, regionCode: string) => {
      const started = Date.now();
      const result = await t.gql(hrss, submit, { input: [obs('1.2', '2023-06-05', '0.1', ref, { regionCode })] });
      expect(result.errors).toBeUndefined();
      return Date.now() - started;
    };

    beforeAll(async () => {
      port = await freePort();
      await startRedis();
      t = await startTestHub({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
      replica = await t.replica();
      hrss = await t.token('AGENCY', 'HRSS');
    }, 60_000);
    afterAll(async () => {
      await replica?.close();
      await t?.close();
      redis?.kill('SIGKILL');
    });

    it('loses events between processes only while Redis is away, never a write, and picks up again by itself', async () => {
      const thereStream = replica.live.progressChanges('shangrao-2023');
      const hereStream = t.hub.live.progressChanges('shangrao-2023');
      const there = reader(thereStream);
      const here = reader(hereStream);
      await new Promise((resolve) => setTimeout(resolve, 300));

      await push('RESTART-1', '361102');
      expect((await there(3_000))?.regionCodes).toEqual(['361102']);
      expect((await here(3_000))?.regionCodes).toEqual(['361102']);

      redis.kill('SIGKILL');
      await new Promise((resolve) => redis.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the merge window
      // the write is committed and answered at once; this process still hears it, the other cannot
      expect(await push('RESTART-2', '361103')).toBeLessThan(2_000);
      expect((await here(3_000))?.regionCodes).toEqual(['361103']);
      expect(await there(1_500)).toBeUndefined();
      // a process that starts while Redis is away subscribes once it is back
      const late = await t.replica();
      const lateStream = late.live.progressChanges('shangrao-2023');
      const lateReader = reader(lateStream);

      await startRedis();
      // the replica's subscriber reconnects and subscribes again on its own; pushes reach it again
      let heard: ProgressChange | undefined;
      for (let attempt = 0; attempt < 10 && !heard; attempt++) {
        await push(`RESTART-3-${attempt}`, '361104');
        heard = await there(1_500);
      }
      expect(heard?.regionCodes).toEqual(['361104']);
      let lateHeard: ProgressChange | undefined;
      for (let attempt = 0; attempt < 10 && !lateHeard; attempt++) {
        lateHeard = await lateReader(1_500);
        if (!lateHeard) await push(`RESTART-4-${attempt}`, '361123');
      }
      expect(lateHeard).toBeDefined();
      await lateStream.return();
      await late.close();
      await thereStream.return();
      await hereStream.return();
    }, 60_000);
  });
}
