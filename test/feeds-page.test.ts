import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

// What the dashboard's feeds page (数据接入, src/http/dashboard/feeds.js) reads: a feed's runs, one run
// followed by id with its quarantined records (each with the record's id, the bureau's field at fault
// and the reason), in a fixed number of SQL statements however many feeds, runs and records there are.

// the page's own documents, as the browser sends them
const documents = (await import(new URL('../src/http/dashboard/documents.js', import.meta.url).href)) as Record<string, string>;

const upsert = /* GraphQL */ `
  mutation ($input: FeedInput!) {
    upsertFeed(input: $input) {
      id
    }
  }
`;

describe('the feeds page reads', () => {
  let t: TestHub;
  let office: string;
  let server: Server;
  let base: string;
  let jobs = 0;
  // AED installations as the Red Cross's system lists them; one page per path
  const pages: Record<string, unknown[]> = {
    '/mixed': [
      { id: 'AED-1', county: '361102', on: '2023-05-01', n: '2' },
      { id: 'AED-2', county: '361199', on: '2023-05-02', n: '1' }, // no such county
      { county: '361103', on: '2023-05-03', n: '1' }, // no id
    ],
    '/good': [{ id: 'AED-3', county: '361104', on: '2023-05-04', n: '1' }],
    '/bad': [
      { id: 'AED-4', county: '361199', on: '2023-05-05', n: '1' },
      { id: 'AED-5', county: '361104', on: 'soon', n: '1' },
      { id: 'AED-6', county: '361104', on: '2023-05-06', n: 'many' },
    ],
  };

  const createFeed = async (name: string, path: string) => {
    const { data, errors } = await t.gql(office, upsert, {
      input: {
        agencyCode: 'REDCROSS',
        name,
        url: `${base}${path}`,
        format: 'JSON',
        recordsPath: 'items',
        schedule: '0 3 * * *',
        mapping: {
          region: { field: 'county' },
          date: { field: 'on' },
          ref: { field: 'id', prefix: 'rc:' },
          rules: [{ indicator: '10.1', value: 'n' }],
        },
      },
    });
    expect(errors).toBeUndefined();
    return String(data!.upsertFeed.id);
  };
  // a pull run here, as the worker's job would run it
  const pull = async (feedId: string) => String((await t.hub.feeds.pull(Number(feedId), `job-${++jobs}`, 'MANUAL', 1, true)).id);

  beforeAll(async () => {
    t = await startTestHub();
    office = await t.token('OFFICE');
    server = createServer((req, res) => {
      const items = pages[req.url?.split('?')[0] ?? ''];
      if (!items) return res.writeHead(404).end();
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ items }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await t.close();
  });

  it('feedRun answers a run with its quarantined records: the record id, the bureau field and the reason', async () => {
    const runId = await pull(await createFeed('红十字会AED投放', '/mixed'));
    const { data, errors } = await t.gql(office, documents.FEED_RUN_QUERY, { id: runId, withRejections: true });
    expect(errors).toBeUndefined();
    expect(data!.feedRun).toMatchObject({ id: runId, trigger: 'MANUAL', status: 'SUCCEEDED', fetched: 3, accepted: 1, rejected: 2 });
    // oldest first: a record the mapping could not read is quarantined before one the plan refused
    const byRecord = [...data!.feedRun.rejections].sort((a, b) => a.recordIndex - b.recordIndex);
    expect(byRecord).toEqual([
      {
        page: 1,
        recordIndex: 1,
        // the id as the observations would carry it: the mapping's prefix and the record's id
        ref: 'rc:AED-2',
        field: 'county',
        reason: 'unknown region "361199" in plan shangrao-2023',
        raw: { id: 'AED-2', county: '361199', on: '2023-05-02', n: '1' },
      },
      {
        page: 1,
        recordIndex: 2,
        ref: null,
        field: 'id',
        reason: 'no record id in "id"',
        raw: { county: '361103', on: '2023-05-03', n: '1' },
      },
    ]);
  });

  it('an agency follows the runs of its own feeds only; BI none', async () => {
    const runId = await pull(await createFeed('红十字会AED（单位可见）', '/good'));
    const query = documents.FEED_RUN_QUERY;
    const own = await t.gql(await t.token('AGENCY', 'REDCROSS'), query, { id: runId, withRejections: false });
    expect(own.data!.feedRun).toMatchObject({ id: runId, status: 'SUCCEEDED', accepted: 1, rejected: 0 });

    const other = await t.gql(await t.token('AGENCY', 'HRSS'), query, { id: runId, withRejections: false });
    expect(other.errors?.[0]).toMatchObject({ message: `feed run ${runId} not found`, extensions: { code: 'NOT_FOUND', field: 'id' } });
    const missing = await t.gql(office, query, { id: '999999', withRejections: false });
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const bi = await t.gql(await t.token('BI'), query, { id: runId, withRejections: false });
    expect(bi.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('cost the same number of SQL statements for one feed, run and record as for many', async () => {
    const statements = async (document: string, variables: Record<string, unknown> = {}) => {
      t.hub.database.counter.reset();
      const { errors } = await t.gql(office, document, variables);
      expect(errors).toBeUndefined();
      return t.hub.database.counter.count;
    };
    // a token's first use records it (at most once a minute): the reads below are what is counted
    await t.gql(office, '{ me { role } }');

    const few = await createFeed('少', '/good');
    const fewRun = await pull(few);
    const small = {
      feeds: await statements(documents.FEEDS_QUERY),
      runs: await statements(documents.FEED_RUNS_QUERY, { feedId: few }),
      run: await statements(documents.FEED_RUN_QUERY, { id: fewRun, withRejections: true }),
    };

    // more feeds, each run more than once; a run of three quarantined records
    const many = await createFeed('多', '/bad');
    for (let i = 0; i < 3; i++) await pull(many);
    for (const name of ['甲', '乙', '丙']) await pull(await createFeed(name, '/mixed'));
    const manyRun = await pull(many);
    const big = {
      feeds: await statements(documents.FEEDS_QUERY),
      runs: await statements(documents.FEED_RUNS_QUERY, { feedId: many }),
      run: await statements(documents.FEED_RUN_QUERY, { id: manyRun, withRejections: true }),
    };
    const { data } = await t.gql(office, documents.FEED_RUN_QUERY, { id: manyRun, withRejections: true });
    const rejections = data!.feedRun.rejections as { recordIndex: number; ref: string; field: string }[];
    expect(rejections.sort((a, b) => a.recordIndex - b.recordIndex).map((r) => [r.ref, r.field])).toEqual([
      ['rc:AED-4', 'county'],
      ['rc:AED-5', 'on'],
      ['rc:AED-6', 'n'],
    ]);

    expect(big).toEqual(small);
    expect(small).toEqual({
      // token, feeds, agencies, plans, last runs, their feeds (for the plan's time zone)
      feeds: 6,
      // token, the feed, its runs, its plan
      runs: 4,
      // token, the run, its feed, its quarantined records, its plan
      run: 5,
    });
  });
});
