import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub.js';

const submit = 'mutation ($input: [ObservationInput!]!) { submitObservations(input: $input) { accepted } }';
const item = (over: Record<string, unknown> = {}) => ({
  indicatorCode: '1.2',
  regionCode: '361102',
  date: '2023-02-10',
  value: '5000',
  unit: '万元',
  ref: 'LOAN-1',
  ...over,
});
const report = 'mutation ($input: ProgressReportInput!) { submitProgressReport(input: $input) { id submittedAt revisedAt } }';

/** A mistake of the caller: HTTP 400, a user-error code and the path of the field at fault. */
function expectRefused(response: GraphQLResponse, field: string, code = 'BAD_USER_INPUT') {
  expect(response.status, JSON.stringify(response.errors)).toBe(400);
  expect(response.errors![0].extensions, response.errors![0].message).toMatchObject({ code, field });
  expect(JSON.stringify(response)).not.toMatch(/stacktrace|node_modules|at .*\.[jt]s:\d+/);
}

/** Log records written to a pino logger, as parsed JSON. */
function captureLogs() {
  const records: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) records.push(JSON.parse(line) as Record<string, any>);
      done();
    },
  });
  return { records, logger: pino({ level: 'info' }, stream) };
}

describe('user mistakes are 400s naming the field', () => {
  let t: TestHub;
  let hrss: string;
  let office: string;
  let roundId: number;
  beforeAll(async () => {
    t = await startTestHub();
    hrss = await t.token('AGENCY', 'HRSS');
    office = await t.token('OFFICE');
    roundId = Number((await t.gql(office, '{ reportingRounds { id } }')).data!.reportingRounds[0].id);
  });
  afterAll(() => t.close());

  it('a variable of the wrong shape: null, missing, unknown field, Int over 2^31, unknown enum value', async () => {
    expectRefused(await t.gql(hrss, submit, { input: [item(), item({ value: null })] }), 'input[1].value');
    const { ref: _ref, ...noRef } = item();
    expectRefused(await t.gql(hrss, submit, { input: [noRef] }), 'input[0].ref');
    expectRefused(await t.gql(hrss, submit, { input: [item({ colour: 'red' })] }), 'input[0].colour');
    expectRefused(await t.gql(hrss, report, { input: { roundId, projectNumber: 2 ** 31, text: 'x' } }), 'input.projectNumber');
    expectRefused(
      await t.gql(office, 'query ($s: DeliveryStatus) { notifications(deliveryStatus: $s) { edges { cursor } } }', { s: 'LOST' }),
      's',
    );
  });

  it.each(['NaN', '1e999', '0x10', '1,000', '５', 'Infinity', ''])('a Decimal "%s" is refused naming the item', async (value) => {
    expectRefused(await t.gql(hrss, submit, { input: [item(), item({ value })] }), 'input[1].value');
  });

  it.each(['2023-02-30', '2023-13-01', '2023-2-1', '20230201'])('a Date "%s" is refused naming the item', async (date) => {
    expectRefused(await t.gql(hrss, submit, { input: [item({ date })] }), 'input[0].date');
  });

  it('a bad literal in the document is a validation failure naming its path', async () => {
    const inline = (value: string) =>
      `mutation { submitObservations(input: [{ indicatorCode: "1.2", regionCode: "361102", date: "2023-02-10", value: "5000", ref: "A" },
        { indicatorCode: "1.2", regionCode: "361102", date: "2023-02-10", value: ${value}, ref: "B" }]) { accepted } }`;
    expectRefused(await t.gql(hrss, inline('"NaN"')), 'input[1].value', 'GRAPHQL_VALIDATION_FAILED');
    expectRefused(await t.gql(hrss, inline('null')), 'input[1].value', 'GRAPHQL_VALIDATION_FAILED');
    expectRefused(await t.gql(hrss, 'mutation { markNotificationsRead(ids: ["1", "abc"]) }'), 'ids[1]', 'BAD_USER_INPUT');
  });

  it('NUL in a progress report is refused before it reaches PostgreSQL', async () => {
    expectRefused(await t.gql(hrss, report, { input: { roundId, projectNumber: 1, text: '进展\u0000正常' } }), 'input.text');
    expectRefused(
      await t.gql(hrss, report, { input: { roundId, projectNumber: 1, text: 'ok', links: ['https://a.example/\u0000'] } }),
      'input.links[0]',
    );
    // jsonb cannot hold it either
    const feed = {
      agencyCode: 'HRSS',
      name: 'gql',
      url: 'http://10.1.2.3/graphql',
      format: 'GRAPHQL',
      graphqlQuery: '{ x }',
      schedule: '0 2 * * *',
    };
    expectRefused(
      await t.gql(office, 'mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }', {
        input: { ...feed, graphqlVariables: { region: 'a\u0000b' }, mapping: {} },
      }),
      'input.graphqlVariables',
    );
  });

  it.each(['abc', '3.5', '1e20', '-1', '0', '99999999999', ' 1'])('an id "%s" is refused naming it', async (id) => {
    expectRefused(await t.gql(hrss, report, { input: { roundId: id, projectNumber: 1, text: 'ok' } }), 'input.roundId');
    expectRefused(await t.gql(hrss, 'mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: ['1', id] }), 'ids[1]');
    expectRefused(await t.gql(office, 'mutation ($id: ID!) { runFeed(id: $id) { id } }', { id }), 'id');
  });

  it('upsertFeed with a malformed id, and markNotificationsRead with 1e400 or 70,000 ids', async () => {
    const feed = {
      id: 'abc',
      agencyCode: 'HRSS',
      name: 'loans',
      url: 'http://10.1.2.3/loans',
      format: 'JSON',
      schedule: '0 2 * * *',
      mapping: {},
    };
    expectRefused(await t.gql(office, 'mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }', { input: feed }), 'input.id');
    const mark = 'mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }';
    expectRefused(await t.gql(hrss, mark, { ids: ['1e400'] }), 'ids[0]');
    const many = Array.from({ length: 70_000 }, (_, i) => String(i + 1));
    const refused = await t.gql(hrss, mark, { ids: many });
    expectRefused(refused, 'ids');
    expect(refused.errors![0].message).toMatch(/at most 1000/);
    // a thousand is fine
    expect((await t.gql(hrss, mark, { ids: many.slice(0, 1000) })).data).toEqual({ markNotificationsRead: 0 });
  });

  it('an operationName the document does not hold is a 400, named or not, never a 500', async () => {
    for (const query of ['{ today }', 'query Today { today }']) {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${hrss}` },
        body: JSON.stringify({ query, operationName: 'Missing' }),
      });
      expect(response.status, query).toBe(400);
      expect((await response.json()).errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
  });

  it('a malformed hub_token or hub_session cookie is a 401 on /export and /admin/queues, never a 500', async () => {
    for (const [path, cookie] of ['/export/ledger.csv', '/export/ledger.xlsx', '/admin/queues', '/metrics'].flatMap((p) => [
      [p, 'hub_token=%E0%A4%A'],
      [p, 'hub_session=%E0%A4%A'],
    ])) {
      const response = await fetch(`${t.url}${path}`, { headers: { cookie } });
      expect([400, 401], path).toContain(response.status);
      expect((await response.json()).errors[0].extensions.code).toMatch(/UNAUTHENTICATED|BAD_REQUEST/);
    }
  });

  it('logs an internal error with its stack and answers it masked; user errors are not logged as errors', async () => {
    const { records, logger } = captureLogs();
    const quiet = t.hub.logger;
    const all = t.hub.feedRepository.all.bind(t.hub.feedRepository);
    t.hub.logger = logger;
    t.hub.feedRepository.all = () => Promise.reject(new Error('relation "secret_table" does not exist: select token from secret_table'));
    try {
      const response = await t.gql(office, '{ feeds { id } }');
      expect(response.errors).toEqual([
        {
          message: 'internal server error',
          locations: [{ line: 1, column: 3 }],
          path: ['feeds'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      expect(JSON.stringify(response)).not.toMatch(/secret_table|stack/);
      const logged = records.filter((r) => r.level >= 50);
      expect(logged).toHaveLength(1);
      expect(logged[0].err.message).toContain('secret_table');
      expect(logged[0].err.stack).toMatch(/at .*hostile-input\.test\.ts/);
      expect(logged[0]).toMatchObject({ path: 'feeds' });

      records.length = 0;
      await t.gql(hrss, submit, { input: [item({ value: 'NaN' })] });
      await t.gql(hrss, '{ feeds { id } nope }');
      await t.gql(hrss, submit, { input: [item({ regionCode: 'XX' })] });
      expect(records.filter((r) => r.level >= 50)).toEqual([]);
    } finally {
      t.hub.logger = quiet;
      t.hub.feedRepository.all = all;
    }
  });
});

describe('oversized documents', () => {
  let t: TestHub;
  let bi: string;
  beforeAll(async () => {
    t = await startTestHub({ loadPlan: false });
    bi = await t.token('BI');
  });
  afterAll(() => t.close());

  const post = (query: string) =>
    fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bi}` },
      body: JSON.stringify({ query }),
    });

  it('refuses a 100,000-alias document before parsing it whole', async () => {
    const query = `{ ${Array.from({ length: 100_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(1_000_000);
    await post('{ __typename }'); // warm
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const response = await post(query);
    const elapsed = performance.now() - started;
    const rssAfter = process.memoryUsage().rss;
    const body = (await response.json()) as GraphQLResponse;
    console.log(
      `100,000 aliases: HTTP ${response.status} ${String(body.errors?.[0].extensions?.code)} in ${elapsed.toFixed(0)} ms, ` +
        `RSS ${((rssAfter - rssBefore) / 1e6).toFixed(1)} MB more`,
    );
    expect(response.status).toBe(400);
    expect(body.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors![0].message).toMatch(/Parsing aborted/);
    // generous: the point is that it is not parsed whole (it took over a second before the limits)
    expect(elapsed).toBeLessThan(1_000);
  });

  it('refuses too many fields in one selection, and repeated fields, before validation', async () => {
    const aliases = `{ ${Array.from({ length: 600 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const refused = await t.gql(bi, aliases);
    expect(refused.status).toBe(400);
    expect(refused.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors![0].message).toMatch(/600 fields in one selection; the limit is \d+/);
    // the same field over and over is what makes overlap validation quadratic
    const started = performance.now();
    const repeated = await t.gql(bi, `{ plans { ${'code '.repeat(5_000)} } }`);
    expect(repeated.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(performance.now() - started).toBeLessThan(1_000);
    // fragments that spread each other twice over double at every level
    const levels = 30;
    const bomb =
      `{ ...f0 } ` +
      Array.from({ length: levels }, (_, i) =>
        i + 1 < levels ? `fragment f${i} on Query { ...f${i + 1} ...f${i + 1} }` : `fragment f${i} on Query { __typename }`,
      ).join(' ');
    const bombed = await t.gql(bi, bomb);
    expect(bombed.status).toBe(400);
    expect(bombed.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // an ordinary document passes
    expect((await t.gql(bi, '{ a: __typename b: __typename plans { code } }')).errors).toBeUndefined();
  });

  it('suggests field names in development only', async () => {
    const dev = await t.gql(bi, '{ plans { cod } }');
    expect(dev.errors![0].message).toMatch(/Did you mean/);
    const production = await startTestHub({ loadPlan: false, env: { NODE_ENV: 'production' } });
    try {
      const response = await production.gql(await production.token('BI'), '{ plans { cod } }');
      expect(response.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.errors![0].message).not.toMatch(/Did you mean/);
    } finally {
      await production.close();
    }
  });
});

describe('what the hub sends back', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  it('CSV ledger cells that a spreadsheet would run as formulas are text; negative numbers stay numbers', async () => {
    await t.hub.db.execute(sql`update indicators set name = '=HYPERLINK("http://evil.example","x")', baseline = '-3' where code = '1.1'`);
    await t.hub.db.execute(sql`update indicators set name = '+1+cmd|'' /C calc''!A0', unit = '@SUM(A1)' where code = '1.2'`);
    await t.hub.db.execute(sql`update indicators set name = ${'\tTAB'} where code = '1.3'`);
    await t.hub.db.execute(sql`update indicators set name = ${'\rCR'} where code = '1.4'`);
    await t.hub.db.execute(sql`update agencies set name = '-2+3' where code = 'HRSS'`);
    const bi = await t.token('BI');
    const csv = await (await fetch(`${t.url}/export/ledger.csv?asOf=2023-06-30`, { headers: { authorization: `Bearer ${bi}` } })).text();
    const lines = csv.split('\r\n');
    const row = (code: string) => lines.find((l) => l.split(',')[1] === code || l.includes(`,${code},`))!;
    expect(row('1.1')).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(row('1.1')).toContain(`'-2+3`);
    expect(row('1.1')).toMatch(/,-3,/); // the baseline, a number
    expect(row('1.2')).toContain(`'+1+cmd|' /C calc'!A0`);
    expect(row('1.2')).toContain(`'@SUM(A1)`);
    expect(csv).toContain(`'\tTAB`);
    expect(csv).toContain(`"'\rCR"`);
    expect(csv).not.toMatch(/(^|,)"?[=+@]/m);
  });

  it('the dashboard and the exports send CSP, frame, sniffing and referrer headers', async () => {
    const bi = await t.token('BI');
    for (const [path, headers] of [
      ['/dashboard/', {}],
      ['/dashboard/app.js', {}],
      ['/dashboard/screen', {}],
      ['/export/bulletin.pdf', {}],
      ['/export/ledger.csv', { authorization: `Bearer ${bi}` }],
      ['/export/ledger.xlsx', { authorization: `Bearer ${bi}` }],
      ['/export/ledger.csv', {}],
    ] as const) {
      const response = await fetch(`${t.url}${path}`, { headers });
      expect(response.headers.get('content-security-policy'), path).toMatch(/default-src '(self|none)'/);
      expect(response.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('content-security-policy'), path).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    for (const page of ['/dashboard/', '/dashboard/screen']) {
      const html = await (await fetch(`${t.url}${page}`)).text();
      // no inline script or style, no inline handlers: the CSP would block them
      expect(html, page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    }
  });

  it('instants in progress reports and feed runs carry the plan offset', async () => {
    t.clock.set('2023-06-26T16:00:00+08:00');
    const hrss = await t.token('AGENCY', 'HRSS');
    const office = await t.token('OFFICE');
    const roundId = (await t.gql(office, '{ reportingRounds { id } }')).data!.reportingRounds[0].id;
    const sent = await t.gql(hrss, report, { input: { roundId, projectNumber: 1, text: '进展正常' } });
    expect(sent.data!.submitProgressReport).toMatchObject({
      submittedAt: '2023-06-26T16:00:00.000+08:00',
      revisedAt: '2023-06-26T16:00:00.000+08:00',
    });
    const rounds = await t.gql(
      office,
      '{ reportingRounds { submissions { submittedAt report { submittedAt revisions { submittedAt } } } } }',
    );
    const submission = rounds.data!.reportingRounds[0].submissions.find((s: any) => s.submittedAt !== null);
    expect(submission).toEqual({
      submittedAt: '2023-06-26T16:00:00.000+08:00',
      report: { submittedAt: '2023-06-26T16:00:00.000+08:00', revisions: [{ submittedAt: '2023-06-26T16:00:00.000+08:00' }] },
    });

    const feed = await t.hub.feeds.upsert((await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!, {
      agencyCode: 'HRSS',
      name: 'offsets',
      url: 'http://10.255.255.1:9/loans',
      format: 'JSON',
      schedule: '0 2 * * *',
      timeoutMs: 100,
      mapping: {
        region: { field: 'county' },
        date: { field: 'issuedOn' },
        ref: { field: 'id' },
        rules: [{ indicator: '1.2', value: 'amount', unit: '元' }],
      },
    });
    await t.hub.feeds.pull(feed.id, 'offsets-1', 'MANUAL', 1, true).catch(() => undefined);
    const runs = await t.gql(office, 'query ($id: ID!) { feedRuns(feedId: $id) { edges { node { status startedAt finishedAt } } } }', {
      id: feed.id,
    });
    expect(runs.data!.feedRuns.edges[0].node).toEqual({
      status: 'FAILED',
      startedAt: '2023-06-26T16:00:00.000+08:00',
      finishedAt: '2023-06-26T16:00:00.000+08:00',
    });
    const notifications = await t.gql(hrss, '{ notifications { edges { node { createdAt scheduledFor } } } }');
    for (const edge of notifications.data!.notifications.edges) expect(edge.node.createdAt).toMatch(/\+08:00$/);
  });
});
