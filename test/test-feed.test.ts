import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { freePort } from './support/spawned-hub.js';
import { startTestHub, type TestHub } from './support/hub.js';

// testFeed: a bureau's engineer and the office try a feed before saving it. The first page is fetched
// and mapped exactly as a pull would, and nothing is written: no feed, no run, no observation.

const testFeed = /* GraphQL */ `
  mutation ($input: FeedInput!) {
    testFeed(input: $input) {
      fetched
      accepted
      rejected
      hasNextPage
      error
      observations {
        indicatorCode
        regionCode
        date
        value
        unit
        ref
      }
      rejections {
        recordIndex
        ref
        field
        reason
        raw
      }
    }
  }
`;

describe('testFeed', () => {
  let t: TestHub;
  let office: string;
  let server: Server;
  let base: string;
  const pages: Record<string, unknown> = {
    // two AED installations, one of them a page's worth of trouble below
    '/good': {
      items: [
        { id: 'A-1', county: '361102', on: '2023-05-01', n: '2' },
        { id: 'A-2', county: '361103', on: '2023-05-02', n: '1' },
      ],
    },
    '/mixed': {
      items: [
        { id: 'A-1', county: '361102', on: '2023-05-01', n: '2' },
        { id: 'A-2', county: '361199', on: '2023-05-02', n: '1' }, // no such county
        { id: 'A-3', county: '361100', on: '2023-05-02', n: '1' }, // 10.1 is reported by counties, not 市本级
        { id: 'A-4', county: '361104', on: 'yesterday', n: '1' }, // not a date
      ],
    },
  };

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    office = await t.token('OFFICE');
    server = createServer((req, res) => {
      const page = pages[req.url?.split('?')[0] ?? ''];
      if (!page) return res.writeHead(404).end();
      res.setHeader('content-type', 'application/json').end(JSON.stringify(page));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await t.close();
  });

  const input = (path: string, url = `${base}${path}`) => ({
    agencyCode: 'REDCROSS',
    name: '红十字会AED投放',
    url,
    format: 'JSON',
    recordsPath: 'items',
    schedule: '0 3 * * *',
    mapping: { region: { field: 'county' }, date: { field: 'on' }, ref: { field: 'id' }, rules: [{ indicator: '10.1', value: 'n' }] },
  });
  const nothingWritten = async () => {
    const [counts] = await queryRows<{ feeds: number; runs: number; observations: number }>(
      t.hub.db,
      sql`select (select count(*) from feeds)::int as feeds, (select count(*) from feed_runs)::int as runs,
                 (select count(*) from observations)::int as observations`,
    );
    expect(counts).toEqual({ feeds: 0, runs: 0, observations: 0 });
  };

  it('answers what a good page would write', async () => {
    const { data, errors } = await t.gql(office, testFeed, { input: input('/good') });
    expect(errors).toBeUndefined();
    expect(data!.testFeed).toEqual({
      fetched: 2,
      accepted: 2,
      rejected: 0,
      hasNextPage: false,
      error: null,
      observations: [
        { indicatorCode: '10.1', regionCode: '361102', date: '2023-05-01', value: '2', unit: null, ref: 'A-1' },
        { indicatorCode: '10.1', regionCode: '361103', date: '2023-05-02', value: '1', unit: null, ref: 'A-2' },
      ],
      rejections: [],
    });
    await nothingWritten();
  });

  it('answers which records a page with bad ones would quarantine, and why', async () => {
    const { data, errors } = await t.gql(office, testFeed, { input: input('/mixed') });
    expect(errors).toBeUndefined();
    const trial = data!.testFeed;
    expect([trial.fetched, trial.accepted, trial.rejected]).toEqual([4, 1, 3]);
    expect(trial.observations.map((o: { ref: string }) => o.ref)).toEqual(['A-1']);
    expect(trial.rejections.map((r: { recordIndex: number; ref: string; field: string }) => [r.recordIndex, r.ref, r.field])).toEqual([
      // each named by the record's own id and field, as the mapping reads them
      [3, 'A-4', 'on'],
      [1, 'A-2', 'county'],
      [2, 'A-3', 'county'],
    ]);
    expect(trial.rejections.find((r: { recordIndex: number }) => r.recordIndex === 1).reason).toContain('unknown region "361199"');
    expect(trial.rejections.find((r: { recordIndex: number }) => r.recordIndex === 2).reason).toContain('counties and zones');
    expect(trial.rejections[0].raw).toEqual({ id: 'A-4', county: '361104', on: 'yesterday', n: '1' });
    await nothingWritten();
  });

  it('answers an unreachable URL with the reason, not an error, and refuses a bad definition as upsertFeed does', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/nothing`;
    const { data, errors } = await t.gql(office, testFeed, { input: input('', closed) });
    expect(errors).toBeUndefined();
    expect(data!.testFeed).toMatchObject({ fetched: 0, accepted: 0, rejected: 0, observations: [], rejections: [] });
    expect(data!.testFeed.error).toMatch(/could not reach|ECONNREFUSED|fetch failed|refused/i);
    const bad = await t.gql(office, testFeed, {
      input: { ...input('/good'), mapping: { ...input('/good').mapping, rules: [{ indicator: '99.9', value: 'n' }] } },
    });
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.mapping.rules[0].indicator' });
    // an AGENCY token may not try feeds (they carry addresses on the bureaus' networks)
    const agency = await t.gql(await t.token('AGENCY', 'REDCROSS'), testFeed, { input: input('/good') });
    expect(agency.errors![0].extensions!.code).toBe('FORBIDDEN');
    await nothingWritten();
  });
});
