import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestHub, type TestHub } from './support/hub.js';
import { pollUntil, spawnHub, type HubProcess } from './support/spawned-hub.js';
import { databaseUrl } from './support/urls.js';
import { aedRegionTargets, obs } from './support/sample-data.js';
import { planTextWithRegionTargets } from './support/plan-overlay.js';
import { runAdminCommand } from '../src/http/admin-socket.js';
import { systemActor } from '../src/audit/audit.service.js';

// Subscriptions (issue 14) with a real graphql-ws client over a real WebSocket, against a hub on the
// shared PostgreSQL and Redis; a second API process (spawned, src/main.ts api) shares events through Redis.

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!, $dryRun: Boolean) {
    submitObservations(planCode: "shangrao-2023", input: $input, dryRun: $dryRun) {
      accepted
    }
  }
`;
const progressChanged = /* GraphQL */ `
  subscription {
    progressChanged(planCode: "shangrao-2023") {
      planCode
      indicatorCodes
      regionCodes
      dataVersion
      at
    }
  }
`;
const notificationAdded = /* GraphQL */ `
  subscription {
    notificationAdded {
      id
      kind
      title
      read
    }
  }
`;

interface Received<T> {
  at: number;
  data?: T;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** A subscription that collects what arrives, with the time it arrived. */
class Collector<T> {
  readonly received: Received<T>[] = [];
  completed = false;
  error: unknown;
  private readonly waiters = new Set<() => void>();
  readonly dispose: () => void;

  constructor(client: Client, query: string) {
    this.dispose = client.subscribe<T>(
      { query },
      {
        next: (value) => this.push({ at: Date.now(), data: value.data ?? undefined, errors: value.errors }),
        error: (error) => {
          this.error = error;
          this.push(undefined);
        },
        complete: () => {
          this.completed = true;
          this.push(undefined);
        },
      },
    );
  }

  /** resolves once `count` messages have arrived (or an error or completion), or rejects after `ms` */
  until(count: number, ms = 5_000): Promise<Received<T>[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.received.length >= count || this.error || this.completed) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(this.received);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.received.length} of ${count} messages after ${ms} ms`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  private push(value: Received<T> | undefined) {
    if (value) this.received.push(value);
    for (const waiter of [...this.waiters]) waiter();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ProgressChange {
  progressChanged: { planCode: string; indicatorCodes: string[]; regionCodes: string[]; dataVersion: string; at: string };
}

describe('live subscriptions', () => {
  let t: TestHub;
  let office: string;
  let hrss: string;
  let redcross: string;
  const clients: Client[] = [];

  /** a graphql-ws client of `base` (http://…) with a token in connection_init; close events recorded */
  const connect = (base: string, token: string | undefined, closes: { code: number; reason: string }[] = []) => {
    const client = createClient({
      url: `${base.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token === undefined ? undefined : { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
      on: { closed: (event) => closes.push({ code: (event as CloseEvent).code, reason: (event as CloseEvent).reason }) },
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startTestHub();
    [office, hrss, redcross] = await Promise.all([t.token('OFFICE'), t.token('AGENCY', 'HRSS'), t.token('AGENCY', 'REDCROSS')]);
  });
  /** Waits until the test hub holds exactly these open subscriptions (the server has registered them). */
  const subscribed = (want: { progress?: number; notifications?: number }) =>
    pollUntil(
      `subscriptions ${JSON.stringify(want)}`,
      async () => {
        const counts = t.hub.live.subscriptionCounts();
        return counts.progress === (want.progress ?? 0) && counts.notifications === (want.notifications ?? 0);
      },
      5_000,
    );
  /** The same for a hub in another process, read from its /metrics. */
  const subscribedOn = (base: string, progress: number) =>
    pollUntil(
      `${progress} progressChanged subscriptions on ${base}`,
      async () => {
        const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${office}` } })).text();
        return new RegExp(`^hub_live_subscriptions\\{kind="progressChanged"\\} ${progress}$`, 'm').test(metrics);
      },
      10_000,
    );

  afterEach(async () => {
    for (const client of clients.splice(0)) void client.dispose();
    // the next test starts with none open
    await subscribed({});
  });
  afterAll(() => t.close());

  it('sends a progress change within a second of a committed push, and none for a dry run or a refused batch', async () => {
    const live = new Collector<ProgressChange>(connect(t.url, office), progressChanged);
    await subscribed({ progress: 1 });

    const before = Number(
      await t.hub.progress.dataVersion((await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!),
    );
    const dry = await t.gql(hrss, submit, { input: [obs('1.2', '2023-06-01', '1', 'LIVE-1', { regionCode: '361102' })], dryRun: true });
    expect(dry.errors).toBeUndefined();
    const refused = await t.gql(hrss, submit, {
      input: [
        obs('1.2', '2023-06-01', '1', 'LIVE-1', { regionCode: '361102' }),
        obs('1.2', '2023-06-01', 'x', 'LIVE-2', { regionCode: '361102' }),
      ],
    });
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // AEDs (10.1) by the Red Cross: a write that is not refused, by someone who may not write 1.2 either
    const forbidden = await t.gql(redcross, submit, { input: [obs('1.2', '2023-06-01', '1', 'LIVE-3', { regionCode: '361102' })] });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await sleep(1_200);
    expect(live.received).toEqual([]);

    const written = await t.gql(hrss, submit, {
      input: [
        obs('1.2', '2023-06-01', '1', 'LIVE-1', { regionCode: '361102' }),
        obs('1.3', '2023-06-01', '1', 'LIVE-1', { regionCode: '361104' }),
      ],
    });
    const committedAt = Date.now();
    expect(written.errors).toBeUndefined();
    const [first] = await live.until(1, 2_000);
    expect(first.at - committedAt).toBeLessThan(1_000);
    expect(first.data).toEqual({
      progressChanged: {
        planCode: 'shangrao-2023',
        indicatorCodes: ['1.2', '1.3'],
        regionCodes: ['361102', '361104'],
        dataVersion: String(before + 1),
        at: '2023-07-01T10:00:00.000+08:00',
      },
    });
    // the same batch again changes nothing: no version, no message
    expect(
      (await t.gql(hrss, submit, { input: [obs('1.2', '2023-06-01', '1', 'LIVE-1', { regionCode: '361102' })] })).errors,
    ).toBeUndefined();
    await sleep(1_200);
    expect(live.received).toHaveLength(1);
  });

  it('merges a burst into at most one message a second per plan, the last carrying the final version', async () => {
    const live = new Collector<ProgressChange>(connect(t.url, office), progressChanged);
    await subscribed({ progress: 1 });
    const started = Date.now();
    // 50 pages' worth of writes, one after another, as a feed run writes them
    for (let page = 0; page < 50; page++) {
      const region = page % 2 === 0 ? '361102' : '361103';
      const result = await t.gql(hrss, submit, {
        input: [obs('1.2', '2023-06-02', `0.0${page % 9}1`, `BURST-${page}`, { regionCode: region })],
      });
      expect(result.errors).toBeUndefined();
    }
    const finished = Date.now();
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    const final = String(await t.hub.progress.dataVersion(plan));
    await sleep(1_500);
    const messages = live.received;
    // one at once, then at most one per second while the burst lasts, and one after it
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.length).toBeLessThanOrEqual(Math.ceil((finished - started) / 1_000) + 2);
    for (let i = 1; i < messages.length; i++) expect(messages[i].at - messages[i - 1].at).toBeGreaterThanOrEqual(950);
    const last = messages.at(-1)!.data!.progressChanged;
    expect(last.dataVersion).toBe(final);
    const regions = new Set(messages.flatMap((m) => m.data!.progressChanged.regionCodes));
    expect([...regions].sort()).toEqual(['361102', '361103']);
  });

  it('sends a progress change when a plan load through the CLI moves the plan, naming every indicator and unit', async () => {
    const live = new Collector<ProgressChange>(connect(t.url, office), progressChanged);
    await subscribed({ progress: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'hub-live-'));
    const path = join(dir, 'plan.yaml');
    // the 2023 plan with 10.1's AEDs decomposed over the units: every 10.1 figure may move
    writeFileSync(path, planTextWithRegionTargets({ '10.1': aedRegionTargets }));
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    const before = await t.hub.progress.dataVersion(plan);
    expect(await runAdminCommand(t.hub, { command: 'plan.load', path })).toMatch(/^plan shangrao-2023 updated/);
    const [change] = await live.until(1, 3_000);
    const { indicatorCodes, regionCodes, dataVersion } = change.data!.progressChanged;
    expect(indicatorCodes).toHaveLength(39);
    expect(indicatorCodes).toContain('10.1');
    expect(regionCodes).toHaveLength(16); // 市本级, 12 counties and 3 zones
    expect(Number(dataVersion)).toBeGreaterThan(before);
    // loading it again changes nothing, and says nothing
    expect(await runAdminCommand(t.hub, { command: 'plan.load', path })).toMatch(/^plan shangrao-2023 unchanged/);
    await sleep(1_200);
    expect(live.received).toHaveLength(1);
  });

  it("delivers a reminder to its agency's subscription and OFFICE's, once, and not to another agency", async () => {
    const toHrss = new Collector<{ notificationAdded: { id: string; kind: string; title: string; read: boolean } }>(
      connect(t.url, hrss),
      notificationAdded,
    );
    const toRedcross = new Collector(connect(t.url, redcross), notificationAdded);
    const toOffice = new Collector(connect(t.url, office), notificationAdded);
    await subscribed({ notifications: 3 });
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    const agency = (await t.hub.planRepository.agenciesByCodes(['HRSS'])).get('HRSS')!;
    const rounds = await t.gql<{ reportingRounds: { id: string; dueOn: string }[] }>(office, '{ reportingRounds { id dueOn } }');
    const round = Number(rounds.data!.reportingRounds.find((r) => r.dueOn === '2023-10-28')!.id);
    const payload = {
      planId: plan.id,
      roundId: round,
      agencyId: agency.id,
      kind: 'REMINDER_3D' as const,
      sendAt: '2023-10-25T01:00:00.000Z',
    };
    const row = await t.hub.reminders.fire(payload);
    expect(row).toBeDefined();
    // a retry of the same job writes nothing and sends nothing
    expect(await t.hub.reminders.fire(payload)).toBeUndefined();

    const [got] = await toHrss.until(1);
    expect(got.data!.notificationAdded).toEqual({ id: String(row!.id), kind: 'REMINDER_3D', title: row!.title, read: false });
    expect((await toOffice.until(1))[0].data).toEqual(got.data);
    // and it is the inbox's row
    const inbox = await t.gql<{ notifications: { edges: { node: { id: string; title: string } }[] } }>(
      hrss,
      '{ notifications(first: 1) { edges { node { id title } } } }',
    );
    expect(inbox.data!.notifications.edges[0].node).toEqual({ id: String(row!.id), title: row!.title });
    await sleep(800);
    expect(toHrss.received).toHaveLength(1);
    expect(toOffice.received).toHaveLength(1);
    expect(toRedcross.received).toEqual([]);
  });

  it('refuses an unknown token at connection_init, and closes a connection whose token is revoked', async () => {
    const unknown: { code: number; reason: string }[] = [];
    const refused = new Collector(connect(t.url, 'lph_not-a-token', unknown), progressChanged);
    await refused.until(1, 3_000);
    expect(unknown[0]).toEqual({ code: 4403, reason: 'Forbidden' });
    expect(refused.received).toEqual([]);

    const none: { code: number; reason: string }[] = [];
    await new Collector(connect(t.url, undefined, none), progressChanged).until(1, 3_000);
    expect(none[0].code).toBe(4403);

    const issued = await t.gql<{ issueToken: { token: string; apiToken: { id: string } } }>(
      office,
      'mutation { issueToken(role: AGENCY, agencyCode: "HRSS", label: "live") { token apiToken { id } } }',
    );
    const closes: { code: number; reason: string }[] = [];
    const live = new Collector(connect(t.url, issued.data!.issueToken.token, closes), progressChanged);
    await subscribed({ progress: 1 });
    expect(closes).toEqual([]);
    const revoked = await t.gql(office, `mutation { revokeToken(id: ${issued.data!.issueToken.apiToken.id}) { active } }`);
    expect(revoked.errors).toBeUndefined();
    await live.until(1, 3_000);
    expect(closes).toEqual([{ code: 4401, reason: 'the token was revoked' }]);
  });

  it("takes a person's session cookie from a page of the hub, not from another site's, and closes at logout", async () => {
    await t.hub.users.add({ name: 'zhao.lei', role: 'OFFICE', password: 'correct horse battery' }, systemActor);
    const login = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'zhao.lei', password: 'correct horse battery' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    /** a WebSocket that sends the browser's cookie and Origin with its upgrade request */
    const browserLike = (origin: string) =>
      class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { cookie, origin } });
        }
      };
    const viaCookie = (origin: string, closes: { code: number; reason: string }[]) => {
      const client = createClient({
        url: `${t.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: browserLike(origin),
        retryAttempts: 0,
        lazy: false,
        on: { closed: (event) => closes.push({ code: (event as CloseEvent).code, reason: (event as CloseEvent).reason }) },
        onNonLazyError: () => undefined,
      });
      clients.push(client);
      return client;
    };

    const foreign: { code: number; reason: string }[] = [];
    await new Collector(viaCookie('http://evil.example', foreign), progressChanged).until(1, 3_000);
    expect(foreign[0].code).toBe(4403);

    const closes: { code: number; reason: string }[] = [];
    const live = new Collector<ProgressChange>(viaCookie(new URL(t.url).origin, closes), progressChanged);
    await subscribed({ progress: 1 });
    expect(
      (await t.gql(hrss, submit, { input: [obs('1.2', '2023-06-06', '0.1', 'COOKIE-1', { regionCode: '361125' })] })).errors,
    ).toBeUndefined();
    expect((await live.until(1, 3_000))[0].data!.progressChanged.regionCodes).toEqual(['361125']);

    expect((await fetch(`${t.url}/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(204);
    await live.until(2, 3_000).catch(() => undefined);
    expect(closes).toEqual([{ code: 4401, reason: 'the session has ended' }]);
  });

  it('keeps to its limits: subscriptions only, so many per connection, and no oversized message', async () => {
    const client = connect(t.url, office);
    const query = new Collector(client, '{ today }');
    const [answer] = await query.until(1);
    expect(answer).toBeUndefined();
    expect(query.error).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('only subscriptions travel over the live endpoints'),
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);

    const many = Array.from({ length: 21 }, () => new Collector(client, progressChanged));
    await subscribed({ progress: 20 });
    const refusedOnes = many.filter((c) => c.error);
    expect(refusedOnes).toHaveLength(1);
    expect(refusedOnes[0].error).toEqual([expect.objectContaining({ message: 'at most 20 subscriptions per connection' })]);

    const closes: { code: number; reason: string }[] = [];
    const big = connect(t.url, office, closes);
    const huge = new Collector(big, `subscription { progressChanged(planCode: "${'x'.repeat(70_000)}") { planCode } }`);
    await huge.until(1, 3_000).catch(() => undefined);
    expect(closes[0]?.code).toBe(1009); // message too big
  });

  it('allows so many connections per token (HUB_LIVE_MAX_CONNECTIONS, 10): the eleventh is told to try again later (1013)', async () => {
    const bi = await t.token('BI');
    // ten connections that subscribe and go away while no figure moves: their places are free at once
    const gone = Array.from({ length: 10 }, () => connect(t.url, bi));
    for (const client of gone) new Collector(client, progressChanged);
    await subscribed({ progress: 10 });
    for (const client of gone) void client.dispose();
    await subscribed({ progress: 0 });
    // graphql-ws unregisters a connection just after its subscriptions have ended
    await sleep(300);

    const opened = Array.from({ length: 10 }, () => new Collector(connect(t.url, bi), progressChanged));
    await subscribed({ progress: 10 });
    expect(opened.filter((c) => c.error || c.completed)).toEqual([]);
    const closes: { code: number; reason: string }[] = [];
    const eleventh = new Collector(connect(t.url, bi, closes), progressChanged);
    await eleventh.until(1, 3_000);
    expect(closes[0]).toEqual({ code: 1013, reason: 'at most 10 live connections per token' });
    // another token is not counted against this one
    const other = new Collector(connect(t.url, office), progressChanged);
    await subscribed({ progress: 11 });
    expect(other.error).toBeUndefined();
  });

  it('pings every connection (HUB_LIVE_KEEPALIVE_MS) and drops one that does not answer', async () => {
    const quick = await startTestHub({ env: { HUB_LIVE_KEEPALIVE_MS: '300' } });
    try {
      const token = await quick.token('OFFICE');
      const open = (autoPong: boolean) => {
        const socket = new WebSocket(`${quick.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { autoPong });
        const seen = { pings: 0, closed: undefined as number | undefined, acknowledged: false };
        socket.on('ping', () => (seen.pings += 1));
        socket.on('close', (code) => (seen.closed = code));
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
        socket.on('message', (data) => {
          if ((JSON.parse((data as Buffer).toString('utf8')) as { type: string }).type === 'connection_ack') seen.acknowledged = true;
        });
        return { socket, seen };
      };
      const answering = open(true);
      const silent = open(false);
      await sleep(1_500);
      expect(answering.seen).toMatchObject({ acknowledged: true, closed: undefined });
      expect(answering.seen.pings).toBeGreaterThanOrEqual(3);
      // pinged, never answered: terminated (1006, no close frame) within about two periods
      expect(silent.seen.acknowledged).toBe(true);
      expect(silent.seen.pings).toBeGreaterThanOrEqual(1);
      expect(silent.seen.closed).toBe(1006);
      answering.socket.close();
    } finally {
      await quick.close();
    }
  });

  it('spells out no schema in production: validation errors over the live endpoints carry no "Did you mean"', async () => {
    const production = await startTestHub({ env: { NODE_ENV: 'production' } });
    try {
      const typo = 'subscription { progressChanged { planCod } }';
      const here = new Collector(connect(t.url, office), typo);
      const there = new Collector(connect(production.url, await production.token('OFFICE')), typo);
      await Promise.all([here.until(1), there.until(1)]);
      const messageOf = (c: Collector<unknown>) => (c.error as { message: string }[])[0].message;
      expect(messageOf(here)).toMatch(/Cannot query field "planCod" on type "ProgressChange"\. Did you mean "planCode"\?/);
      expect(messageOf(there)).toBe('Cannot query field "planCod" on type "ProgressChange".');
    } finally {
      await production.close();
    }
  });

  it('serves the same subscriptions as Server-Sent Events at /graphql/stream, for clients without WebSocket', async () => {
    const issued = await t.gql<{ issueToken: { token: string; apiToken: { id: string } } }>(
      office,
      'mutation { issueToken(role: BI, label: "sse") { token apiToken { id } } }',
    );
    const token = issued.data!.issueToken.token;
    const open = (bearer: string, query: string) =>
      fetch(`${t.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ query }),
      });
    expect((await open('lph_not-a-token', progressChanged)).status).toBe(401);
    const query = await open(token, '{ today }');
    expect(query.status).toBe(400);
    expect((await query.json()).errors[0].message).toContain('only subscriptions travel over the live endpoints');

    const stream = await open(token, progressChanged);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp, ms = 3_000) => {
      const deadline = Date.now() + ms;
      while (!pattern.test(text)) {
        const chunk = await Promise.race([reader.read(), sleep(Math.max(0, deadline - Date.now())).then(() => 'timeout' as const)]);
        if (chunk === 'timeout') throw new Error(`no ${pattern} in ${ms} ms: ${text}`);
        if (chunk.done) return 'ended';
        text += decoder.decode(chunk.value);
      }
      return text.match(pattern)!;
    };
    await subscribed({ progress: 1 });
    expect(
      (await t.gql(hrss, submit, { input: [obs('1.2', '2023-06-04', '0.2', 'SSE-1', { regionCode: '361124' })] })).errors,
    ).toBeUndefined();
    const next = await readUntil(/event: next\ndata: (.*)\n/);
    expect(JSON.parse((next as RegExpMatchArray)[1])).toMatchObject({
      data: { progressChanged: { planCode: 'shangrao-2023', indicatorCodes: ['1.2'], regionCodes: ['361124'] } },
    });
    // revoked: the stream ends
    await t.gql(office, `mutation { revokeToken(id: ${issued.data!.issueToken.apiToken.id}) { active } }`);
    expect(await readUntil(/event: complete/)).not.toBeNull();
  });

  describe('with a second API process', () => {
    let replica: HubProcess;
    afterAll(() => replica?.kill());

    it('shares events through Redis: a push handled by one process reaches subscribers of the other, both ways', async () => {
      replica = spawnHub('api', { DATABASE_URL: databaseUrl(t.databaseName), HUB_QUEUE_PREFIX: t.hub.config.queuePrefix });
      const replicaUrl = await replica.listening(30_000);
      const onReplica = new Collector<ProgressChange>(connect(replicaUrl, office), progressChanged);
      const onTestHub = new Collector<ProgressChange>(connect(t.url, office), progressChanged);
      await Promise.all([subscribed({ progress: 1 }), subscribedOn(replicaUrl, 1)]);

      // written through the test's process: heard on the replica
      expect(
        (await t.gql(hrss, submit, { input: [obs('1.2', '2023-06-03', '0.5', 'REPLICA-1', { regionCode: '361123' })] })).errors,
      ).toBeUndefined();
      const [heard] = await onReplica.until(1, 3_000);
      expect(heard.data!.progressChanged).toMatchObject({ indicatorCodes: ['1.2'], regionCodes: ['361123'] });
      await onTestHub.until(1, 3_000);

      // written through the replica: heard here
      await sleep(1_100);
      const response = await fetch(`${replicaUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${hrss}` },
        body: JSON.stringify({
          query: submit,
          variables: { input: [obs('1.2', '2023-06-03', '0.5', 'REPLICA-2', { regionCode: '361181' })] },
        }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      const [, second] = await onTestHub.until(2, 3_000);
      expect(second.data!.progressChanged).toMatchObject({ indicatorCodes: ['1.2'], regionCodes: ['361181'] });
      expect(Number(second.data!.progressChanged.dataVersion)).toBe(Number(heard.data!.progressChanged.dataVersion) + 1);
    }, 60_000);
  });
});
