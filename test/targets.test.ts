import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookup } from 'node:dns/promises';
import { hostname, networkInterfaces } from 'node:os';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agencies, feeds, notifications } from '../drizzle/schema/index.js';
import { queryRows } from '../src/db/database.js';
import type { PlanRow } from '../src/plan/plan.repository.js';
import { loanMapping } from './support/feeds.js';
import { startTestHub, type TestHub } from './support/hub.js';

const upsert = 'mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }';
const webhook = 'mutation ($url: String, $secret: String) { configureWebhook(agencyCode: "HRSS", url: $url, secret: $secret) { url } }';

const feedInput = (over: Record<string, unknown> = {}) => ({
  agencyCode: 'HRSS',
  name: `loans ${Math.random().toString(36).slice(2)}`,
  url: 'http://10.1.2.3/loans',
  format: 'JSON' as 'JSON' | 'CSV',
  recordsPath: 'items',
  schedule: '0 2 * * *',
  mapping: loanMapping,
  ...over,
});

/** An address of this machine other than loopback, if it has one. */
const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

async function serve(handler: RequestListener): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

describe('feed and webhook targets with HUB_ALLOW_LOOPBACK_TARGETS off', () => {
  let t: TestHub;
  let office: string;
  let plan: PlanRow;
  beforeAll(async () => {
    t = await startTestHub({ env: { HUB_ALLOW_LOOPBACK_TARGETS: 'false' } });
    office = await t.token('OFFICE');
    plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
  });
  afterAll(() => t.close());

  it.each([
    'http://127.0.0.1:8080/loans',
    'http://127.1/loans',
    'http://2130706433/loans',
    'http://0x7f000001/loans',
    'http://localhost/loans',
    'http://LOCALHOST./loans',
    'http://feeds.localhost/loans',
    'http://[::1]/loans',
    'http://[::ffff:127.0.0.1]/loans',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/loans',
    'http://0.0.0.0/loans',
    'http://[::]/loans',
  ])('refuses %s as a feed and as a webhook', async (url) => {
    const feed = await t.gql(office, upsert, { input: feedInput({ url }) });
    expect(feed.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    expect(feed.errors![0].message).toMatch(/loopback|link-local|unspecified|HUB_ALLOW_LOOPBACK_TARGETS/);
    const hook = await t.gql(office, webhook, { url });
    expect(hook.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  });

  it("refuses the hub's own port on this machine's addresses, and allows private networks", async () => {
    if (ownAddress) {
      const own = await t.gql(office, upsert, { input: feedInput({ url: `http://${ownAddress}:${t.hub.config.port}/graphql` }) });
      expect(own.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
      expect(own.errors![0].message).toMatch(/the hub itself/);
    }
    for (const url of ['http://10.1.2.3/loans', 'http://192.168.10.5:8080/x', 'https://hrss.gov.example/api', 'http://[fd00::5]/x']) {
      expect((await t.gql(office, upsert, { input: feedInput({ url }) })).errors, url).toBeUndefined();
      expect((await t.gql(office, webhook, { url })).errors, url).toBeUndefined();
    }
  });

  it('refuses credentials in a feed URL: they go in the auth header', async () => {
    const response = await t.gql(office, upsert, { input: feedInput({ url: 'http://hrss:s3cret@10.1.2.3/loans' }) });
    expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    expect(response.errors![0].message).toMatch(/authHeader/);
    expect(response.errors![0].message).not.toContain('s3cret');
  });

  it('checks again when it fetches: a stored loopback URL or a name that resolves to loopback is not requested', async () => {
    const target = await serve((_req, res) => res.end('{"items":[]}'));
    try {
      const feed = await t.hub.feeds.upsert(plan, feedInput({ url: 'http://10.1.2.3/loans' }));
      // a row written before the rule, or by hand
      await t.hub.db
        .update(feeds)
        .set({ url: `${target.url}/loans` })
        .where(eq(feeds.id, feed.id));
      const run = await t.hub.feeds.pull(feed.id, 'stored-loopback', 'MANUAL', 1, true).catch(() => undefined);
      expect(run).toBeUndefined();
      const [row] = await queryRows<{ status: string; error: string }>(
        t.hub.db,
        sql`select status, error from feed_runs where job_id = 'stored-loopback'`,
      );
      expect(row).toMatchObject({ status: 'FAILED' });
      expect(row.error).toMatch(/loopback/);

      const resolved = await lookup(hostname()).catch(() => undefined);
      if (resolved?.address.startsWith('127.')) {
        const named = await t.hub.feeds.upsert(plan, feedInput({ url: `http://${hostname()}:${new URL(target.url).port}/loans` }));
        await expect(t.hub.feeds.pull(named.id, 'named-loopback', 'MANUAL', 1, true)).rejects.toThrow(/resolves to .*loopback/);
      }
      expect(target.hits()).toBe(0);
    } finally {
      target.server.close();
    }
  });

  it('a webhook whose stored URL is loopback is not delivered to', async () => {
    const target = await serve((_req, res) => res.end('ok'));
    try {
      await t.hub.reminders.configureWebhook(
        'HRSS',
        'http://10.1.2.3/hook',
        'secret-secret-secret',
        { name: 'test', clientId: null },
        'given',
      );
      await t.hub.db
        .update(agencies)
        .set({ webhookUrl: `${target.url}/hook` })
        .where(eq(agencies.code, 'HRSS'));
      const hrss = (await t.hub.planRepository.agenciesByCodes(['HRSS'])).get('HRSS')!;
      const round = ((await t.hub.planRepository.roundsByPlanIds([plan.id])).get(plan.id) ?? [])[0];
      const notification = await t.hub.reminders.fire({
        planId: plan.id,
        roundId: round.id,
        agencyId: hrss.id,
        kind: 'REMINDER_7D',
        sendAt: new Date().toISOString(),
      });
      await expect(t.hub.reminders.deliver(notification!.id, 1, true)).rejects.toThrow(/loopback/);
      const [row] = await t.hub.db.select().from(notifications).where(eq(notifications.id, notification!.id));
      expect(row).toMatchObject({ deliveryStatus: 'FAILED' });
      expect(row.deliveryError).toMatch(/loopback/);
      expect(target.hits()).toBe(0);
    } finally {
      target.server.close();
    }
  });
});

describe('what a feed error may show', () => {
  let t: TestHub;
  let plan: PlanRow;
  let target: Awaited<ReturnType<typeof serve>>;
  let reply: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };
  let n = 0;
  beforeAll(async () => {
    t = await startTestHub(); // tests allow loopback targets
    plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    target = await serve((_req, res) => {
      res.writeHead(reply.status, { 'content-type': reply.type });
      res.end(reply.body);
    });
  });
  afterAll(async () => {
    target.server.close();
    await t.close();
  });
  afterEach(() => {
    reply = { status: 200, type: 'application/json', body: '{}' };
  });

  const pullError = async (format: 'JSON' | 'CSV' = 'JSON') => {
    const feed = await t.hub.feeds.upsert(
      plan,
      feedInput({ url: `${target.url}/loans`, format, recordsPath: format === 'CSV' ? null : 'items' }),
    );
    const jobId = `echo-${++n}`;
    await t.hub.feeds.pull(feed.id, jobId, 'MANUAL', 1, true).catch(() => undefined);
    return (await queryRows<{ error: string }>(t.hub.db, sql`select error from feed_runs where job_id = ${jobId}`))[0].error;
  };

  it.each([
    [500, 'text/html', '<html><body>Internal error: password=SECRET-42 at db01</body></html>', /HTTP 500.*text\/html/],
    [200, 'text/html', '<!doctype html><title>SECRET-42 login</title>', /text\/html/],
    [200, 'text/plain', 'SECRET-42 is not json', /text\/plain/],
    [200, 'application/json', 'SECRET-42 {', /not JSON|malformed JSON/],
    [404, 'application/json', '{"detail":"SECRET-42"}', /HTTP 404/],
  ])('an HTTP %i %s answer shows its status and type, not its content', async (status, type, body, shown) => {
    reply = { status, type, body };
    const error = await pullError();
    expect(error).toMatch(shown);
    expect(error).not.toContain('SECRET');
  });

  it('a CSV feed with the wrong header does not echo it', async () => {
    reply = { status: 200, type: 'text/csv', body: 'SECRET-42,other\n1,2\n' };
    const error = await pullError('CSV');
    expect(error).toMatch(/header lacks/);
    expect(error).not.toContain('SECRET');
  });
});

describe('length limits on free text', () => {
  let t: TestHub;
  let office: string;
  let hrss: string;
  beforeAll(async () => {
    t = await startTestHub();
    office = await t.token('OFFICE');
    hrss = await t.token('AGENCY', 'HRSS');
  });
  afterAll(() => t.close());

  const nested = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: 1 } : { a: nested(depth - 1) });

  it.each([
    [{ name: 'x'.repeat(201) }, 'input.name'],
    [{ url: `http://10.1.2.3/${'x'.repeat(3_000)}` }, 'input.url'],
    [{ authHeader: { name: 'Authorization', value: 'x'.repeat(10_000) } }, 'input.authHeader.value'],
    [{ authHeader: { name: 'X'.repeat(300), value: 'v' } }, 'input.authHeader.name'],
    [{ recordsPath: 'a.'.repeat(300) }, 'input.recordsPath'],
    [{ format: 'GRAPHQL', graphqlQuery: `{ ${'f '.repeat(60_000)}}` }, 'input.graphqlQuery'],
    [{ format: 'GRAPHQL', graphqlQuery: '{ x }', graphqlVariables: nested(40) }, 'input.graphqlVariables'],
    [
      {
        mapping: {
          ...loanMapping,
          region: { field: 'county', map: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, '361102'])) },
        },
      },
      'input.mapping',
    ],
    [{ mapping: { ...loanMapping, region: { field: 'county', map: { a: nested(30) } } } }, 'input.mapping'],
    [{ schedule: `0 2 * * * ${' '.repeat(500)}` }, 'input.schedule'],
  ])('a feed input over its limit is refused naming it (%#)', async (over, field) => {
    const response = await t.gql(office, upsert, { input: feedInput(over) });
    expect(response.errors?.[0].extensions, JSON.stringify(response.errors?.[0]).slice(0, 300)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field,
    });
  });

  it('a webhook secret, URL and report links have limits too', async () => {
    expect((await t.gql(office, webhook, { url: 'http://10.1.2.3/hook', secret: 'x'.repeat(300) })).errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'secret',
    });
    expect((await t.gql(office, webhook, { url: `http://10.1.2.3/${'x'.repeat(3_000)}` })).errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'url',
    });
    const roundId = (await t.gql(office, '{ reportingRounds { id } }')).data!.reportingRounds[0].id;
    const response = await t.gql(hrss, 'mutation ($input: ProgressReportInput!) { submitProgressReport(input: $input) { id } }', {
      input: { roundId, projectNumber: 1, text: 'ok', links: [`https://docs.example/${'x'.repeat(3_000)}`] },
    });
    expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.links[0]' });
  });

  it('any string argument is bounded, even where no field limit is declared', async () => {
    const response = await t.gql(office, 'query ($code: String) { plan(code: $code) { code } }', { code: 'x'.repeat(200_000) });
    expect(response.status).toBe(400);
    expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
  });
});
