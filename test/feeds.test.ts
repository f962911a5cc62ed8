import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { feedSchedulerId } from '../jobs/feed-pull.js';
import { QueueName } from '../jobs/queues.js';
import type { Hub } from '../src/app.js';
import { queryRows } from '../src/db/database.js';
import { startSimulator, type LoanRecord, type Simulator } from '../tools/simulator/simulator.js';
import { startWorkers } from '../jobs/workers.js';
import { simulatorFeeds } from '../tools/simulator/feeds.js';
import { loanMapping, waitForRun } from './support/feeds.js';
import { startTestHub, type TestHub, runtimeOf } from './support/hub.js';

const loan = (over: Partial<LoanRecord> & Pick<LoanRecord, 'loanId'>): LoanRecord => ({
  borrowerType: 'PERSONAL',
  borrowerCategory: '高校毕业生',
  county: '',
  countyCode: '361102',
  amountYuan: '100000.00',
  issuedOn: '2023-01-10',
  dueOn: null,
  repaidAmountYuan: null,
  repaidOn: null,
  interestWaivedYuan: '0.00',
  updatedAt: '2023-01-10T09:00:00+08:00',
  ...over,
});

// Six loans worked through by hand:
//   1.2 issued: 200000 + 1500000 + 300000 + 150000 + 2000000 + 250000 = 4,400,000 元 = 0.044 亿元
//   1.3 personal (L1, L3, L4, L6): 200000 + 300000 + 150000 + 250000 = 900,000 元 = 0.009 亿元
//   1.4 due in 2023 (L1, L3, L4, L5): 200000 + 300000 + 150000 + 2000000 = 2,650,000 元 = 0.0265 亿元
//   1.5 recovered (L1, L4, L5): 200000 + 150000 + 2000000 = 2,350,000 元 = 0.0235 亿元
//   1.8 interest waived (personal): 3000 + 4500 + 1125 + 0 = 8625 元 = 0.8625 万元
const loans: LoanRecord[] = [
  loan({
    loanId: 'L1',
    amountYuan: '200000.00',
    issuedOn: '2023-02-10',
    dueOn: '2023-08-10',
    repaidAmountYuan: '200000.00',
    repaidOn: '2023-08-10',
    interestWaivedYuan: '3000.00',
    updatedAt: '2023-08-10T09:00:00+08:00',
  }),
  loan({
    loanId: 'L2',
    borrowerType: 'ENTERPRISE',
    borrowerCategory: null,
    countyCode: '361103',
    amountYuan: '1500000.00',
    issuedOn: '2023-03-01',
    updatedAt: '2023-03-01T09:00:00+08:00',
  }),
  loan({
    loanId: 'L3',
    borrowerCategory: '返乡创业农民工',
    amountYuan: '300000.00',
    issuedOn: '2023-04-15',
    dueOn: '2023-10-15',
    interestWaivedYuan: '4500.00',
    updatedAt: '2023-04-15T09:00:00+08:00',
  }),
  loan({
    loanId: 'L4',
    borrowerCategory: '其他',
    countyCode: '361104',
    amountYuan: '150000.00',
    issuedOn: '2023-05-20',
    dueOn: '2023-11-20',
    repaidAmountYuan: '150000.00',
    repaidOn: '2023-11-25',
    interestWaivedYuan: '1125.00',
    updatedAt: '2023-11-25T09:00:00+08:00',
  }),
  loan({
    loanId: 'L5',
    borrowerType: 'ENTERPRISE',
    borrowerCategory: null,
    countyCode: '361123',
    amountYuan: '2000000.00',
    issuedOn: '2023-06-30',
    dueOn: '2023-12-30',
    repaidAmountYuan: '2000000.00',
    repaidOn: '2023-12-30',
    updatedAt: '2023-12-30T09:00:00+08:00',
  }),
  loan({
    loanId: 'L6',
    borrowerCategory: '退捕渔民',
    countyCode: '361124',
    amountYuan: '250000.00',
    issuedOn: '2023-09-01',
    updatedAt: '2023-09-01T09:00:00+08:00',
  }),
];

const upsert = /* GraphQL */ `
  mutation ($input: FeedInput!) {
    upsertFeed(input: $input) {
      id
      name
      hasAuthHeader
      authHeaderName
      schedule
    }
  }
`;
const runFeed = /* GraphQL */ `
  mutation ($id: ID!) {
    runFeed(id: $id) {
      id
      status
      trigger
    }
  }
`;
const progress = /* GraphQL */ `
  query ($code: String!, $asOf: Date) {
    indicator(code: $code) {
      progress(asOf: $asOf) {
        value
        percent
        achieved
      }
    }
  }
`;

describe('pulling bureau feeds', () => {
  let t: TestHub;
  let sim: Simulator;
  let office: string;
  let stopWorkers: () => Promise<void>;
  let feedNumber = 0;

  const loanFeed = (over: Record<string, unknown> = {}) => ({
    agencyCode: 'HRSS',
    name: `HRSS loans ${++feedNumber}`,
    url: `${sim.url}/hrss/loans`,
    format: 'JSON',
    recordsPath: 'items',
    schedule: '0 2 * * *',
    pagination: { type: 'PAGE', pageParam: 'page', sizeParam: 'size', pageSize: 2 },
    mapping: loanMapping,
    ...over,
  });
  const createFeed = async (input: Record<string, unknown>) => {
    const response = await t.gql(office, upsert, { input });
    expect(response.errors).toBeUndefined();
    return Number(response.data!.upsertFeed.id);
  };
  const pull = async (feedId: number) => {
    const response = await t.gql(office, runFeed, { id: feedId });
    expect(response.errors).toBeUndefined();
    expect(response.data!.runFeed).toMatchObject({ status: 'QUEUED', trigger: 'MANUAL' });
    return waitForRun(t.hub, Number(response.data!.runFeed.id));
  };
  const value = async (code: string, asOf?: string) => (await t.gql(office, progress, { code, asOf })).data!.indicator.progress;
  const observationCount = async () => (await queryRows<{ n: number }>(t.hub.db, sql`select count(*)::int as n from observations`))[0].n;

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-12-31T12:00:00+08:00', env: { HUB_FEED_ATTEMPTS: '3', HUB_FEED_BACKOFF_MS: '200' } });
    sim = await startSimulator({ data: { loans } });
    office = await t.token('OFFICE');
    expect(await t.hub.jobs.connect()).toBe(true);
    stopWorkers = await startWorkers(t.hub, runtimeOf(t.hub));
  });
  afterEach(() => sim.reset());
  afterAll(async () => {
    await runtimeOf(t.hub).queue(QueueName.FeedPull).obliterate({ force: true });
    await stopWorkers();
    await sim.close();
    await t.close();
  });

  it('the loan feed produces exactly the hand-computed values of 1.2 to 1.7', async () => {
    const run = await pull(await createFeed(loanFeed()));
    // six records on pages of two: pages 1–3 full, page 4 empty
    expect(run).toMatchObject({ status: 'SUCCEEDED', pages: 4, fetched: 6, accepted: 6, rejected: 0, attempts: 1 });
    expect(await value('1.2')).toMatchObject({ value: '0.044' }); // 0.044 / 19.5 = 0.2256…%
    expect(await value('1.3')).toMatchObject({ value: '0.009' });
    expect(await value('1.4')).toMatchObject({ value: '0.0265' });
    expect(await value('1.5')).toMatchObject({ value: '0.0235' });
    expect(await value('1.8')).toMatchObject({ value: '0.8625' });
    // 1.6 = 0.009 / 0.044 = 20.4545…% of the 50 % bound → 40.909…%
    expect(await value('1.6')).toEqual({ value: '20.454545', percent: 40.91, achieved: false });
    // 1.7 = 0.0235 / 0.0265 = 88.6792…% of the 95 % bound → 93.3465…%
    expect(await value('1.7')).toEqual({ value: '88.679245', percent: 93.35, achieved: false });
    // at the end of September only L1 had fallen due, and it was repaid: 100 % of 95 → 105.26
    expect(await value('1.7', '2023-09-30')).toEqual({ value: '100', percent: 105.26, achieved: true });
  });

  it('pulling the same data twice changes nothing', async () => {
    const feedId = await createFeed(loanFeed());
    const first = await pull(feedId);
    const before = await observationCount();
    const second = await pull(feedId);
    expect(second).toMatchObject({ status: 'SUCCEEDED', fetched: 6, created: 0, revised: 0 });
    expect(second.unchanged).toBe(first.created);
    expect(await observationCount()).toBe(before);
  });

  it('asks only for what is new once it has an incremental cursor', async () => {
    const feedId = await createFeed(loanFeed({ incremental: { param: 'since', field: 'updatedAt' } }));
    const first = await pull(feedId);
    expect(first).toMatchObject({ fetched: 6, cursorBefore: null, cursorAfter: '2023-12-30T09:00:00+08:00' });
    const second = await pull(feedId);
    expect(second).toMatchObject({ status: 'SUCCEEDED', fetched: 0, cursorBefore: '2023-12-30T09:00:00+08:00' });
  });

  it('a second page after a failure resumes from the cursor', async () => {
    const feedId = await createFeed(loanFeed());
    sim.fail('hrss', '500', { onPage: 2, times: 1 });
    const run = await pull(feedId);
    expect(run).toMatchObject({ status: 'SUCCEEDED', attempts: 2, pages: 4, fetched: 6 });
    // page 1, page 2 (500), then the retry: page 2, 3, 4 — page 1 is not fetched again
    expect(sim.stats('hrss').requests).toBe(5);
  });

  it('a malformed record is quarantined while its page-mates land', async () => {
    sim.setData({
      loans: [
        loan({ loanId: 'Q1', amountYuan: '100000.00' }),
        loan({ loanId: 'Q2', countyCode: '999999' }),
        loan({ loanId: 'Q3', amountYuan: 'lots' }),
        loan({ loanId: 'Q4', amountYuan: '50000.00', countyCode: '361103' }),
      ],
    });
    try {
      const feedId = await createFeed(loanFeed({ pagination: { type: 'PAGE', pageSize: 10 } }));
      const run = await pull(feedId);
      expect(run).toMatchObject({ status: 'SUCCEEDED', fetched: 4, accepted: 2, rejected: 2 });
      const { data } = await t.gql(
        office,
        `{ feedRuns(feedId: ${feedId}, first: 1) { edges { node { rejected rejections { recordIndex field reason raw } } } } }`,
      );
      const rejections = data!.feedRuns.edges[0].node.rejections;
      expect(rejections.map((r: any) => [r.recordIndex, r.field, r.raw.loanId])).toEqual([
        // named by the bureau's own fields, as the mapping reads them
        [1, 'countyCode', 'Q2'],
        [2, 'amountYuan', 'Q3'],
      ]);
      expect(rejections[0].reason).toBe('unknown region "999999" in plan shangrao-2023');
      const rows = await queryRows<{ ref: string }>(
        t.hub.db,
        sql`select distinct ref from observations where source = ${`feed:${feedId}`} order by ref`,
      );
      expect(rows.map((r) => r.ref)).toEqual(['Q1', 'Q4']);
    } finally {
      sim.setData({ loans });
    }
  });

  it('a 500 is retried with backoff and then recorded as failed', async () => {
    const feedId = await createFeed(loanFeed());
    sim.fail('hrss', '500');
    const started = Date.now();
    const run = await pull(feedId);
    // three attempts, 200 ms then 400 ms apart
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(run).toMatchObject({ status: 'FAILED', attempts: 3, pages: 0, error: 'HTTP 500 from the feed' });
    expect(sim.stats('hrss').requests).toBe(3);
  });

  it('a feed that answers garbage fails the run and writes nothing from that page', async () => {
    for (const [mode, error] of [
      // described by its type and status, never by its text
      ['html', /^expected JSON, got an HTML page \(text\/html, HTTP 200\)$/],
      ['malformed', /^malformed JSON/],
    ] as const) {
      const feedId = await createFeed(loanFeed({ pagination: { type: 'PAGE', pageSize: 10 } }));
      sim.fail('hrss', mode);
      const before = await observationCount();
      const run = await pull(feedId);
      expect(run.status).toBe('FAILED');
      expect(run.error).toMatch(error);
      expect(await observationCount()).toBe(before);
      sim.reset();
    }
  });

  it('a feed that does not answer in time fails after its retries', async () => {
    const feedId = await createFeed(loanFeed({ timeoutMs: 300 }));
    sim.fail('hrss', 'timeout');
    const run = await pull(feedId);
    expect(run).toMatchObject({ status: 'FAILED', attempts: 3, error: 'fetch failed: no answer within 300 ms' });
  });

  it('a CSV feed with the wrong header fails with the columns it lacks', async () => {
    const feedId = await createFeed({
      agencyCode: 'REDCROSS',
      name: 'AEDs with a bad header',
      url: `${sim.url}/redcross/aeds.csv`,
      format: 'CSV',
      schedule: '0 3 * * *',
      mapping: {
        region: { field: 'region_code' },
        date: { field: 'installed_on' },
        ref: { field: 'device_id' },
        rules: [{ indicator: '10.1', constant: '1' }],
      },
    });
    sim.fail('redcross', 'bad-header');
    const run = await pull(feedId);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/^CSV header lacks /);
  });

  it('a response over the size limit is cut off and fails the run', async () => {
    const feedId = await createFeed(loanFeed({ maxBytes: 1024, pagination: { type: 'PAGE', pageSize: 500 } }));
    sim.setData({ loans: Array.from({ length: 40 }, (_, i) => loan({ loanId: `BIG-${i}` })) });
    try {
      const run = await pull(feedId);
      expect(run).toMatchObject({ status: 'FAILED', pages: 0 });
      expect(run.error).toMatch(/over the 1024-byte limit/);
    } finally {
      sim.setData({ loans });
    }
  });

  it('pulls CSV and GraphQL feeds too', async () => {
    const data = (await import('../tools/simulator/simulator.js')).defaultSimulatorData();
    sim.setData({ aeds: data.aeds, screenings: data.screenings });
    const feeds = simulatorFeeds(sim.url);
    const byAgency = (code: string) => ({ ...feeds.find((f) => f.agencyCode === code)!, name: `${code} ${++feedNumber}` });
    const aeds = await createFeed(byAgency('REDCROSS'));
    expect(await pull(aeds)).toMatchObject({ status: 'SUCCEEDED', fetched: data.aeds.length, rejected: 0 });
    // every device is one AED: the city value is the number of rows the bureau sent
    expect((await value('10.1')).value).toBe(String(data.aeds.length));
    const trained = data.aeds.reduce((sum, a) => sum + a.trainedPeople, 0);
    expect((await value('10.2')).value).toBe(String(trained));

    // prenatal and newborn screenings of one monthly record both count in 8.2 (refSuffix keeps them apart)
    const screenings = await createFeed({ ...byAgency('HEALTH'), graphqlVariables: { first: 50 } });
    const run = await pull(screenings);
    expect(run).toMatchObject({ status: 'SUCCEEDED', fetched: data.screenings.length, rejected: 0 });
    expect(run.pages).toBe(Math.ceil(data.screenings.length / 50));
    const screened = data.screenings.reduce((sum, s) => sum + s.prenatalScreenings + s.newbornScreenings, 0);
    expect((await value('8.2')).value).toBe(String(screened));
  });

  it('takes back what a rule counted when a corrected record no longer matches it', async () => {
    const feedId = await createFeed(loanFeed({ pagination: { type: 'PAGE', pageSize: 10 } }));
    sim.setData({ loans: [loan({ loanId: 'C1', amountYuan: '300000.00', dueOn: '2023-09-01' })] });
    try {
      await pull(feedId);
      // personal, due in 2023: 0.003 亿元 in 1.2, 1.3 and 1.4
      expect((await value('1.3', '2023-12-31')).value).not.toBe('0');
      // the bureau corrects it: an enterprise loan, due in 2024
      sim.setData({
        loans: [loan({ loanId: 'C1', borrowerType: 'ENTERPRISE', borrowerCategory: null, amountYuan: '300000.00', dueOn: '2024-03-01' })],
      });
      const run = await pull(feedId);
      expect(run).toMatchObject({ status: 'SUCCEEDED', revised: 2 });
      const rows = await queryRows<{ code: string; value: string }>(
        t.hub.db,
        sql`select i.code, o.value::text from observations o join indicators i on i.id = o.indicator_id where o.source = ${`feed:${feedId}`} order by i.code`,
      );
      expect(rows).toEqual([
        { code: '1.2', value: '0.003' },
        { code: '1.3', value: '0' },
        { code: '1.4', value: '0' },
        { code: '1.8', value: '0' },
      ]);
    } finally {
      sim.setData({ loans });
    }
  });

  it('quarantines a record with a NUL character, and its page-mates land', async () => {
    const feedId = await createFeed(loanFeed({ pagination: { type: 'PAGE', pageSize: 10 } }));
    sim.setData({ loans: [loan({ loanId: 'N\u00001' }), loan({ loanId: 'N2' })] });
    try {
      const run = await pull(feedId);
      expect(run).toMatchObject({ status: 'SUCCEEDED', fetched: 2, accepted: 1, rejected: 1 });
      const [rejection] = await queryRows<{ field: string; loanId: string }>(
        t.hub.db,
        sql`select field, raw->>'loanId' as "loanId" from feed_rejections where feed_run_id = ${run.id}`,
      );
      expect(rejection).toEqual({ field: 'loanId', loanId: 'N\ufffd1' });
    } finally {
      sim.setData({ loans });
    }
  });

  it('pages a CSV feed by page number', async () => {
    // a bureau's CSV export in pages of two rows: 2 + 2 + 1
    const rows = ['A1,361102,2023-03-01', 'A2,361103,2023-03-02', 'A3,361104,2023-03-03', 'A4,361123,2023-03-04', 'A5,361124,2023-03-05'];
    const server = createServer((req, res) => {
      const page = Number(new URL(req.url!, 'http://x').searchParams.get('page'));
      res.setHeader('content-type', 'text/csv');
      res.end(['device_id,region_code,installed_on', ...rows.slice((page - 1) * 2, page * 2)].join('\r\n'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const feedId = await createFeed({
        agencyCode: 'REDCROSS',
        name: `paged AEDs ${++feedNumber}`,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/aeds.csv`,
        format: 'CSV',
        schedule: '0 5 * * *',
        pagination: { type: 'PAGE', pageParam: 'page', sizeParam: 'size', pageSize: 2 },
        mapping: {
          region: { field: 'region_code' },
          date: { field: 'installed_on' },
          ref: { field: 'device_id', prefix: 'paged-' },
          rules: [{ indicator: '10.1', constant: '1' }],
        },
      });
      expect(await pull(feedId)).toMatchObject({ status: 'SUCCEEDED', pages: 3, fetched: 5, created: 5 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("follows redirects on the feed's own server only, so the secret never leaves it", async () => {
    const seen: { host: string; auth: string | undefined }[] = [];
    const other = createServer((req, res) => {
      seen.push({ host: 'other', auth: req.headers['x-api-key'] as string | undefined });
      res.statusCode = 302;
      res.setHeader('location', `${sim.url}/hrss/loans${req.url!.slice(req.url!.indexOf('?'))}`);
      res.end();
    });
    const same = createServer((req, res) => {
      seen.push({ host: 'same', auth: req.headers['x-api-key'] as string | undefined });
      if (req.url!.startsWith('/old')) {
        res.statusCode = 301;
        res.setHeader('location', '/new' + req.url!.slice(4));
        return res.end();
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ items: [] }));
    });
    await Promise.all([other, same].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
    try {
      const port = (s: typeof other) => (s.address() as AddressInfo).port;
      const auth = { name: 'X-Api-Key', value: 'k3y' };
      const away = await pull(await createFeed(loanFeed({ url: `http://127.0.0.1:${port(other)}/loans`, authHeader: auth })));
      expect(away.status).toBe('FAILED');
      expect(away.error).toMatch(/redirected to another server .*not followed/);
      const home = await pull(await createFeed(loanFeed({ url: `http://127.0.0.1:${port(same)}/old/loans`, authHeader: auth })));
      expect(home).toMatchObject({ status: 'SUCCEEDED', fetched: 0 });
      expect(seen.every((s) => s.auth === 'k3y')).toBe(true);
      expect(sim.stats('hrss').requests).toBe(0); // the simulator (another server) was never asked
    } finally {
      await Promise.all([other, same].map((s) => new Promise((r) => s.close(r))));
    }
  });

  it("starts incremental pulling afresh when the feed's mapping changes", async () => {
    const input = loanFeed({ incremental: { param: 'since', field: 'updatedAt' } });
    const feedId = await createFeed(input);
    await pull(feedId);
    const cursor = async () =>
      (await queryRows<{ cursor: string | null }>(t.hub.db, sql`select cursor from feeds where id = ${feedId}`))[0].cursor;
    expect(await cursor()).toBe('2023-12-30T09:00:00+08:00');
    await t.gql(office, upsert, { input: { ...input, id: feedId, schedule: '0 5 * * *' } });
    expect(await cursor()).toBe('2023-12-30T09:00:00+08:00'); // a new schedule keeps the position
    await t.gql(office, upsert, { input: { ...input, id: feedId, mapping: { ...loanMapping, rules: loanMapping.rules.slice(0, 2) } } });
    expect(await cursor()).toBeNull();
  });

  it('refuses bad feed definitions, naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'not a url' }, 'input.url', /not a URL/],
      [{ url: 'ftp://bureau.example/loans' }, 'input.url', /http or https, not ftp/],
      [{ schedule: 'every day at 2' }, 'input.schedule', /not a cron pattern/],
      [{ timeZone: 'Mars/Olympus' }, 'input.timeZone', /not an IANA time zone/],
      [
        { mapping: { ...loanMapping, rules: [{ indicator: '7.1', value: 'x' }] } },
        'input.mapping.rules[0].indicator',
        /neither lead nor responsible/,
      ],
      [{ mapping: { ...loanMapping, rules: [{ indicator: '1.6', value: 'x' }] } }, 'input.mapping.rules[0].indicator', /derived/],
      [{ mapping: { ...loanMapping, rules: [{ indicator: '1.2' }] } }, 'input.mapping.rules[0].value', /either value .* or constant/],
      [
        { mapping: { ...loanMapping, region: { field: 'c', map: { 信州: '36' } } } },
        'input.mapping.region.map.信州',
        /unknown region "36"/,
      ],
      [{ pagination: { type: 'SOMETIMES' } }, 'input.pagination.type', /./],
    ];
    for (const [over, field, message] of cases) {
      const response = await t.gql(office, upsert, { input: loanFeed(over) });
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(response.errors![0].message).toMatch(message);
    }
    const hrss = await t.token('AGENCY', 'HRSS');
    expect((await t.gql(hrss, upsert, { input: loanFeed() })).errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('keeps the auth secret and never returns it', async () => {
    const response = await t.gql(office, upsert, {
      input: loanFeed({ authHeader: { name: 'Authorization', value: 'Bearer s3cret-hrss' } }),
    });
    expect(response.data!.upsertFeed).toMatchObject({ hasAuthHeader: true, authHeaderName: 'Authorization' });
    const listed = await t.gql(office, '{ feeds { id name url authHeaderName hasAuthHeader mapping pagination } }');
    expect(JSON.stringify(listed)).not.toContain('s3cret-hrss');
  });

  it('an agency sees and runs only its own feeds; BI sees none', async () => {
    const feedId = await createFeed(loanFeed());
    const civil = await t.token('AGENCY', 'CIVIL');
    const hrss = await t.token('AGENCY', 'HRSS');
    expect((await t.gql(civil, '{ feeds { id } }')).data!.feeds).toEqual([]);
    expect((await t.gql(hrss, '{ feeds { id } }')).data!.feeds.map((f: any) => Number(f.id))).toContain(feedId);
    expect((await t.gql(civil, runFeed, { id: feedId })).errors![0].extensions!.code).toBe('NOT_FOUND');
    expect((await t.gql(await t.token('BI'), '{ feeds { id } }')).errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('feed schedules', () => {
  let t: TestHub;
  let sim: Simulator;
  let office: string;
  const hubs: Hub[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-12-31T12:00:00+08:00', env: { HUB_FEED_ATTEMPTS: '2', HUB_FEED_BACKOFF_MS: '100' } });
    sim = await startSimulator({ data: { loans } });
    office = await t.token('OFFICE');
    await t.hub.jobs.connect();
  });
  afterAll(async () => {
    await runtimeOf(t.hub).queue(QueueName.FeedPull).obliterate({ force: true });
    for (const stop of stops) await stop();
    for (const hub of hubs) await hub.close();
    await sim.close();
    await t.close();
  });

  /** Another worker process: its own hub, Redis connections and workers, on the same database and queues. */
  const anotherWorker = async () => {
    const hub = await t.replica();
    hubs.push(hub);
    stops.push(await startWorkers(hub, runtimeOf(hub)));
    return hub;
  };

  /** Creates or changes an HRSS loan feed on the simulator; answers its id. */
  const upsertLoanFeed = async (over: Record<string, unknown>) => {
    const input = { agencyCode: 'HRSS', url: `${sim.url}/hrss/loans`, format: 'JSON', recordsPath: 'items', mapping: loanMapping, ...over };
    const response = await t.gql(office, `mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }`, { input });
    expect(response.errors).toBeUndefined();
    return Number(response.data!.upsertFeed.id);
  };

  it('a scheduled pull happens on its cron, and restarting workers creates no duplicate schedulers', async () => {
    stops.push(await startWorkers(t.hub, runtimeOf(t.hub)));
    const everySecond = { name: 'every second', schedule: '* * * * * *', pagination: { type: 'PAGE', pageSize: 100 } };
    const feedId = await upsertLoanFeed(everySecond);
    const deadline = Date.now() + 10_000;
    let runs: { trigger: string; status: string }[] = [];
    while (Date.now() < deadline) {
      runs = await queryRows(t.hub.db, sql`select trigger, status from feed_runs where feed_id = ${feedId} and status = 'SUCCEEDED'`);
      if (runs.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(runs[0]).toEqual({ trigger: 'SCHEDULE', status: 'SUCCEEDED' });

    // a restart and a second worker replica both sync the schedulers again
    await t.hub.feeds.syncSchedules();
    await anotherWorker();
    const schedulers = await runtimeOf(t.hub).queue(QueueName.FeedPull).getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key)).toEqual([feedSchedulerId(feedId)]);

    // disabling the feed removes its schedule
    await upsertLoanFeed({ ...everySecond, id: feedId, enabled: false });
    expect(await runtimeOf(t.hub).queue(QueueName.FeedPull).getJobSchedulers(0, -1)).toEqual([]);
  });

  it('two workers never run one feed at once', async () => {
    const second = hubs[0] ?? (await anotherWorker());
    const feedId = await upsertLoanFeed({ name: 'slow', schedule: '0 2 * * *', pagination: { type: 'PAGE', pageSize: 3 } });
    sim.reset();
    sim.setDelay('hrss', 150);
    // four pulls at once, queued from both processes; two workers (each with concurrency 2) take them
    const jobs = await Promise.all(
      [t.hub, second, t.hub, second].map(async (hub, i) => {
        const jobId = `race-${feedId}-${i}`;
        const run = await hub.feeds.queueRun((await hub.feedRepository.byIds([feedId])).get(feedId)!, jobId);
        await runtimeOf(hub).queue(QueueName.FeedPull).add(QueueName.FeedPull, { feedId, trigger: 'MANUAL' }, { jobId, attempts: 2 });
        return run.id;
      }),
    );
    const runs = await Promise.all(jobs.map((id) => waitForRun(t.hub, id, 30_000)));
    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // each run is three requests of 150 ms; any overlap of two runs would show as two in flight
    expect(sim.stats('hrss').requests).toBe(12);
    expect(sim.stats('hrss').maxConcurrent).toBe(1);
  });
});

describe('stopping a worker in the middle of a pull', () => {
  it('hands the run back after a whole page, and another worker finishes it without duplicates', async () => {
    const t = await startTestHub({ now: '2023-12-31T12:00:00+08:00', env: { HUB_FEED_ATTEMPTS: '2', HUB_FEED_BACKOFF_MS: '100' } });
    const sim = await startSimulator({ data: { loans } });
    const hubs: Hub[] = [];
    const worker = async () => {
      const hub = await t.replica();
      hubs.push(hub);
      return { hub, stop: await startWorkers(hub, runtimeOf(hub)) };
    };
    try {
      const office = await t.token('OFFICE');
      const created = await t.gql(office, `mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }`, {
        input: {
          agencyCode: 'HRSS',
          name: 'one loan a page',
          url: `${sim.url}/hrss/loans`,
          format: 'JSON',
          recordsPath: 'items',
          schedule: '0 2 * * *',
          pagination: { type: 'PAGE', pageSize: 1 },
          mapping: loanMapping,
        },
      });
      const feedId = Number(created.data!.upsertFeed.id);
      sim.setDelay('hrss', 150);
      const first = await worker();
      await t.hub.jobs.connect();
      const run = await t.gql(office, 'mutation ($id: ID!) { runFeed(id: $id) { id } }', { id: feedId });
      const runId = Number(run.data!.runFeed.id);
      const progressOf = async () =>
        (
          await queryRows<{ status: string; pages: number; n: number }>(
            t.hub.db,
            sql`select r.status, r.pages, (select count(*)::int from observations where feed_run_id = r.id) as n from feed_runs r where r.id = ${runId}`,
          )
        )[0];
      // let it commit two of its seven pages, then stop that worker
      for (let i = 0; i < 200 && (await progressOf()).pages < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
      await first.stop();
      const paused = await progressOf();
      expect(paused.status).toBe('QUEUED');
      expect(paused.pages).toBeGreaterThanOrEqual(2);
      expect(paused.pages).toBeLessThan(7);
      const second = await worker();
      const done = await waitForRun(t.hub, runId, 20_000);
      await second.stop();
      // six loans on pages of one, the seventh page empty; each page fetched once in all
      expect(done).toMatchObject({ status: 'SUCCEEDED', pages: 7, fetched: 6, accepted: 6, created: 21 });
      expect(sim.stats('hrss').requests).toBe(7);
      expect((await queryRows<{ n: number }>(t.hub.db, sql`select count(*)::int as n from observations`))[0].n).toBe(21);
    } finally {
      await runtimeOf(t.hub).queue(QueueName.FeedPull).obliterate({ force: true });
      for (const hub of hubs) await hub.close();
      await sim.close();
      await t.close();
    }
  }, 60_000);
});
