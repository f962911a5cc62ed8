import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../src/auth/auth.service.js';
import { openDatabase } from '../src/db/database.js';
import { startSimulator, type LoanRecord, type Simulator } from '../tools/simulator/simulator.js';
import { ManualClock } from '../src/shared/clock.js';
import { loanMapping } from './support/feeds.js';
import { cloneDatabase, exitWithin, pollUntil, spawnHub, type HubProcess } from './support/spawned-hub.js';

/**
 * Finding 1 of issue 10: every process kind stops within 10 s of SIGTERM or SIGINT, finishing what it
 * has in hand. The hubs here are real processes (`node --import tsx src/main.ts <mode>`) with
 * NODE_ENV=production, where Apollo would install signal handlers of its own.
 */
const deadlineMs = 10_000;
const spawned: HubProcess[] = [];
const start = (...args: Parameters<typeof spawnHub>) => {
  const hub = spawnHub(...args);
  spawned.push(hub);
  return hub;
};
afterEach(async () => {
  for (const hub of spawned.splice(0)) await hub.kill();
});

/** Signals the hub and answers how it ended and how long after the signal. */
async function stopWith(hub: HubProcess, signal: NodeJS.Signals) {
  const sentAt = hub.signal(signal);
  const exit = await exitWithin(hub, deadlineMs + 5_000);
  if (!exit) throw new Error(`still running ${deadlineMs + 5_000} ms after ${signal}; its output:\n${hub.output()}`);
  return { code: exit.code, ms: exit.at - sentAt };
}

async function officeToken(databaseUrl: string): Promise<string> {
  const database = await openDatabase({ databaseUrl, dataDir: '', poolSize: 1 });
  try {
    return (await issueToken(database.db, { role: 'OFFICE' }, new ManualClock('2023-07-01T10:00:00+08:00'))).token;
  } finally {
    await database.close();
  }
}

/**
 * A POST /graphql whose body is held back: `Expect: 100-continue` makes the server say when it has the
 * request in hand, so the test knows the request is in flight before it signals.
 */
function heldRequest(base: string, token: string, query: string) {
  const url = new URL(base);
  const body = JSON.stringify({ query });
  const socket = connect(Number(url.port), url.hostname);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
  socket.write(
    [
      'POST /graphql HTTP/1.1',
      `Host: ${url.host}`,
      'Content-Type: application/json',
      `Authorization: Bearer ${token}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Expect: 100-continue',
      'Connection: close',
      '',
      '',
    ].join('\r\n'),
  );
  return {
    /** the server has parsed the request and is waiting for its body */
    inHand: () => pollUntil('100 Continue', () => received.includes('100 Continue'), 20_000, 20),
    /** sends the body; answers the final status and body */
    async finish() {
      socket.write(body);
      const raw = await closed;
      const final = raw.slice(raw.lastIndexOf('HTTP/1.1 '));
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(final)?.[1]);
      return { status, body: final.slice(final.indexOf('\r\n\r\n') + 4) };
    },
    closed,
  };
}

describe('stopping hub processes', () => {
  it('api on the embedded database: SIGTERM ends it in time with code 0, and the next start on the same folder works (stopped by SIGINT)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-lifecycle-'));
    try {
      const env = { HUB_DATA_DIR: dataDir, DATABASE_URL: '' };
      const first = start('api', env);
      await first.listening();
      const stopped = await stopWith(first, 'SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(deadlineMs);

      // the data folder (and the CLI's socket in it) was let go: a second hub starts on it and serves
      const second = start('api', env);
      const url = await second.listening();
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const again = await stopWith(second, 'SIGINT');
      expect(again.code).toBe(0);
      expect(again.ms).toBeLessThan(deadlineMs);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  describe('on PostgreSQL', () => {
    let database: Awaited<ReturnType<typeof cloneDatabase>>;
    beforeAll(async () => {
      database = await cloneDatabase();
    });
    afterAll(() => database.drop());

    it('npm run start:api: SIGTERM to npm stops the hub itself, and the port is free', async () => {
      const hub = start('api', { DATABASE_URL: database.url }, { viaNpm: true });
      const url = await hub.listening();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const stopped = await stopWith(hub, 'SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(3_000);
      // npm's script execs node, so the signal reached the hub and not only npm
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    });

    it('worker: SIGTERM ends it in time with code 0', async () => {
      const worker = start('worker', { DATABASE_URL: database.url });
      await worker.waitFor(/workers started/);
      const stopped = await stopWith(worker, 'SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(deadlineMs);
    }, 60_000);

    it('all, with Redis unreachable: SIGTERM ends it in time with code 0 (nothing waits for Redis to come back)', async () => {
      const hub = start('all', { DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:1' });
      await hub.listening();
      const stopped = await stopWith(hub, 'SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(deadlineMs);
    }, 60_000);

    it('api: a request in flight at SIGTERM still gets its answer; the log names the address really bound', async () => {
      const api = start('api', { DATABASE_URL: database.url, HOST: '0.0.0.0' });
      // the configured host and port were 0.0.0.0 and 0: the line says what the socket is bound to
      const bound = await api.waitFor(/hub listening on (\S+):(\d+) /);
      expect(bound[1]).toBe('0.0.0.0');
      expect(Number(bound[2])).toBeGreaterThan(0);
      const url = await api.listening();
      expect(url).toBe(`http://127.0.0.1:${bound[2]}`);
      const token = await officeToken(database.url);

      const request = heldRequest(url, token, '{ plan { code } }');
      await request.inHand();
      const sentAt = api.signal('SIGTERM');
      await api.waitFor(/shutting down/);
      // new connections are refused while the one in flight is finished
      await pollUntil(
        'the listener to close',
        () =>
          fetch(`${url}/healthz`).then(
            () => false,
            () => true,
          ),
        5_000,
        20,
      );
      const answer = await request.finish();
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ data: { plan: { code: 'shangrao-2023' } } });
      const exit = await exitWithin(api, deadlineMs + 5_000);
      expect(exit?.code).toBe(0);
      expect(exit!.at - sentAt).toBeLessThan(deadlineMs);
    }, 60_000);

    it('api: a second signal ends it at once, even with a request still in flight', async () => {
      const api = start('api', { DATABASE_URL: database.url });
      const url = await api.listening();
      const token = await officeToken(database.url);
      const request = heldRequest(url, token, '{ plan { code } }');
      await request.inHand();
      api.signal('SIGTERM');
      await api.waitFor(/shutting down/);
      const stopped = await stopWith(api, 'SIGINT');
      expect(stopped.code).not.toBe(0);
      expect(stopped.ms).toBeLessThan(2_000);
      expect(api.output()).toMatch(/second signal/);
    }, 60_000);

    describe('all (API and workers), in the middle of a feed pull', () => {
      let sim: Simulator;
      beforeAll(async () => {
        const loans: LoanRecord[] = Array.from({ length: 60 }, (_, i) => ({
          loanId: `STOP-${i + 1}`,
          borrowerType: 'PERSONAL',
          borrowerCategory: '高校毕业生',
          county: '',
          countyCode: '361102',
          amountYuan: '10000.00',
          issuedOn: '2023-03-01',
          dueOn: null,
          repaidAmountYuan: null,
          repaidOn: null,
          interestWaivedYuan: '0.00',
          updatedAt: `2023-03-01T09:${String(i % 60).padStart(2, '0')}:00+08:00`,
        }));
        sim = await startSimulator({ data: { loans } });
      });
      afterAll(() => sim.close());

      it('finishes the page in hand, hands the run back, and ends in time with code 0', async () => {
        const hub = start('all', { DATABASE_URL: database.url });
        const url = await hub.listening();
        const token = await officeToken(database.url);
        const gql = async (query: string, variables: Record<string, unknown>) => {
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
          });
          return (await response.json()) as { data?: Record<string, { id: string }>; errors?: unknown[] };
        };
        const created = await gql('mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }', {
          input: {
            agencyCode: 'HRSS',
            name: 'one loan a page, slowly',
            url: `${sim.url}/hrss/loans`,
            format: 'JSON',
            recordsPath: 'items',
            schedule: '0 2 * * *',
            pagination: { type: 'PAGE', pageSize: 1 },
            mapping: loanMapping,
          },
        });
        expect(created.errors).toBeUndefined();
        sim.setDelay('hrss', 250);
        const queued = await gql('mutation ($id: ID!) { runFeed(id: $id) { id } }', { id: created.data!.upsertFeed.id });
        expect(queued.errors).toBeUndefined();
        const runId = Number(queued.data!.runFeed.id);

        const db = new pg.Client({ connectionString: database.url });
        await db.connect();
        try {
          const run = async () =>
            (await db.query<{ status: string; pages: number }>('select status, pages from feed_runs where id = $1', [runId])).rows[0];
          await pollUntil('three committed pages', async () => (await run()).pages >= 3, 30_000, 50);
          const stopped = await stopWith(hub, 'SIGTERM');
          expect(stopped.code).toBe(0);
          expect(stopped.ms).toBeLessThan(deadlineMs);
          // handed back between pages: every page fetched was committed, and far fewer than the 61 of the run
          const after = await run();
          expect(after.status).toBe('QUEUED');
          expect(after.pages).toBe(sim.stats('hrss').requests);
          expect(after.pages).toBeLessThan(20);
          expect(hub.output()).not.toMatch(/"level":50/);
        } finally {
          await db.end();
        }
      }, 90_000);
    });
  });
});
