import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { startTestHub, type TestHub } from './support/hub.js';

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!, $dryRun: Boolean) {
    submitObservations(input: $input, dryRun: $dryRun) {
      accepted
      created
      revised
      unchanged
    }
  }
`;

const item = (over: Record<string, unknown> = {}) => ({
  indicatorCode: '5.5',
  regionCode: '361123',
  date: '2023-04-01',
  value: '12',
  ref: 'R1',
  ...over,
});

describe('submitting observations', () => {
  let t: TestHub;
  let civil: string;
  const counts = async () =>
    (
      await queryRows<{ observations: number; revisions: number; daily: number }>(
        t.hub.db,
        sql`select (select count(*) from observations)::int as observations, (select count(*) from observation_revisions)::int as revisions,
                   (select count(*) from indicator_daily)::int as daily`,
      )
    )[0];

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    civil = await t.token('AGENCY', 'CIVIL');
  });
  afterAll(() => t.close());

  it('resending a batch changes nothing', async () => {
    const batch = [item({ ref: 'A' }), item({ ref: 'B', value: '8', date: '2023-05-01' })];
    const first = await t.gql(civil, submit, { input: batch });
    expect(first.data!.submitObservations).toEqual({ accepted: 2, created: 2, revised: 0, unchanged: 0 });
    const before = await counts();
    const again = await t.gql(civil, submit, { input: batch });
    expect(again.data!.submitObservations).toEqual({ accepted: 2, created: 0, revised: 0, unchanged: 2 });
    expect(await counts()).toEqual(before);
    // "12.0" is the same number as "12"
    const sameNumber = await t.gql(civil, submit, { input: [item({ ref: 'A', value: '12.000' })] });
    expect(sameNumber.data!.submitObservations).toMatchObject({ unchanged: 1 });
  });

  it('revising a ref changes the value and keeps the old revision', async () => {
    const revised = await t.gql(civil, submit, { input: [item({ ref: 'A', value: '15', date: '2023-04-02', note: 'corrected count' })] });
    expect(revised.data!.submitObservations).toEqual({ accepted: 1, created: 0, revised: 1, unchanged: 0 });
    const history = await queryRows(
      t.hub.db,
      sql`select r.revision, r.value::text as value, r.previous_value::text as "previousValue", r.observed_on::text as "observedOn", r.note, r.client_id is not null as "who"
          from observation_revisions r join observations o on o.id = r.observation_id where o.ref = 'A' order by r.revision`,
    );
    expect(history).toEqual([
      { revision: 1, value: '12', previousValue: null, observedOn: '2023-04-01', note: null, who: true },
      { revision: 2, value: '15', previousValue: '12', observedOn: '2023-04-02', note: 'corrected count', who: true },
    ]);
    // 5.5 is SUM: 15 (A, moved to 04-02) + 8 (B) = 23 households of 2000 → 1.15 %
    const { data } = await t.gql(civil, '{ indicator(code: "5.5") { progress { value percent } series { date value } } }');
    expect(data!.indicator.progress).toEqual({ value: '23', percent: 1.15 });
    // the day it moved from holds nothing any more
    expect(data!.indicator.series).toEqual([
      { date: '2023-04-02', value: '15' },
      { date: '2023-05-01', value: '23' },
    ]);
  });

  it('a dry run validates and counts, and writes nothing', async () => {
    const before = await counts();
    const dry = await t.gql(civil, submit, { input: [item({ ref: 'A', value: '16' }), item({ ref: 'C' })], dryRun: true });
    expect(dry.data!.submitObservations).toEqual({ accepted: 2, created: 1, revised: 1, unchanged: 0 });
    expect(await counts()).toEqual(before);
  });

  describe('a bad item rejects its whole batch, naming the item and field', () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['unknown indicator', { indicatorCode: '5.9' }, 'indicatorCode', /unknown indicator "5\.9"/],
      ['unknown region', { regionCode: '361199' }, 'regionCode', /unknown region "361199"/],
      ['date outside the plan period', { date: '2022-12-31' }, 'date', /outside the plan period/],
      ['date in the future of the hub clock', { date: '2023-07-02' }, 'date', /in the future \(today is 2023-07-01\)/],
      ['more than 20 significant digits', { value: '123456789012345678901' }, 'value', /more than 20 significant digits/],
      ['negative count', { value: '-1' }, 'value', /cannot be negative/],
      ['missing ref', { ref: '  ' }, 'ref', /a ref .* is required/],
      ['ref over 200 characters', { ref: 'x'.repeat(201) }, 'ref', /at most 200 characters/],
      ['unit that cannot convert', { unit: '元' }, 'unit', /cannot convert 元 to the indicator's unit 户/],
      ['stage on a plain indicator', { stageCode: 'liaison' }, 'stageCode', /has no stages/],
      ['derived indicator', { indicatorCode: '1.6' }, 'indicatorCode', /derived/],
      ['a NUL character in the ref', { ref: 'R\u00001' }, 'ref', /control characters/],
      ['a control character in the note', { note: 'bad\u0007bell' }, 'note', /control characters/],
    ];
    for (const [name, over, field, message] of cases) {
      it(name, async () => {
        const before = await counts();
        const input = [item({ ref: 'good-1' }), item({ ref: 'bad', ...over }), item({ ref: 'good-2' })];
        const office = await t.token('OFFICE');
        const response = await t.gql(office, submit, { input });
        // null: refused by the service; absent: refused before execution (a NUL, HTTP 400)
        expect(response.data ?? null).toBeNull();
        const error = response.errors![0];
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `input[1].${field}`, index: 1 });
        expect(error.message).toMatch(message);
        expect(await counts()).toEqual(before);
      });
    }

    it('a value that is not a decimal, or NaN', async () => {
      for (const value of ['twelve', 'NaN', '1e3']) {
        const response = await t.gql(civil, submit, { input: [item(), item({ value })] });
        expect(response.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
        expect(response.errors![0].message).toContain('input[1].value');
      }
    });

    it('the same ref twice with different values', async () => {
      const response = await t.gql(civil, submit, { input: [item({ ref: 'dup', value: '1' }), item({ ref: 'dup', value: '2' })] });
      expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[1].ref', index: 1 });
      // the same record twice is harmless and counted once
      const twice = await t.gql(civil, submit, { input: [item({ ref: 'dup', value: '1' }), item({ ref: 'dup', value: '1' })] });
      expect(twice.data!.submitObservations).toEqual({ accepted: 1, created: 1, revised: 0, unchanged: 0 });
    });

    it('a batch over 5,000 items', async () => {
      const input = Array.from({ length: 5_001 }, (_, i) => item({ ref: `big-${i}` }));
      const response = await t.gql(civil, submit, { input });
      expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    });

    it('lists every problem of the batch', async () => {
      const response = await t.gql(civil, submit, { input: [item({ date: '2024-01-01' }), item({ ref: '' })] });
      expect(response.errors![0].extensions!.problems).toEqual([
        { field: 'input[0].date', message: '2024-01-01 is outside the plan period 2023-01-01 to 2023-12-31' },
        { field: 'input[1].ref', message: 'a ref (your own record id) is required' },
      ]);
    });
  });

  describe('who may write', () => {
    it("an agency cannot write another agency's indicators", async () => {
      const hrss = await t.token('AGENCY', 'HRSS');
      const before = await counts();
      const response = await t.gql(hrss, submit, { input: [item({ indicatorCode: '1.1', ref: 'x' }), item({ ref: 'y' })] });
      expect(response.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input[1].indicatorCode', index: 1 });
      expect(await counts()).toEqual(before);
    });

    it("a responsible agency may write its project's indicators", async () => {
      const housing = await t.token('AGENCY', 'HOUSING'); // responsible for project 3
      const response = await t.gql(housing, submit, { input: [item({ indicatorCode: '3.4', ref: 'H1' })] });
      expect(response.data!.submitObservations).toMatchObject({ created: 1 });
    });

    it('a BI token cannot write at all', async () => {
      const bi = await t.token('BI');
      const response = await t.gql(bi, submit, { input: [item({ ref: 'bi' })] });
      expect(response.errors![0].extensions!.code).toBe('FORBIDDEN');
    });
  });
});

describe('the consolidated query', () => {
  it('costs the same number of statements with 10 observations as with 3,000', async () => {
    const t = await startTestHub({ now: '2023-12-31T12:00:00+08:00' });
    try {
      const office = await t.token('OFFICE');
      const bi = await t.token('BI');
      const query = `{ consolidatedIndicators(regionCode: "ALL") { indicatorCode regionCode value percent status leadAgencyCodes }
                       plan { progress { percent } projects { progress { percent } indicators { progress { value } byRegion { progress { value } } series { date value } } } } }`;
      const regions = ['361102', '361103', '361104', '361123', '361124'];
      const batch = (n: number, offset: number) =>
        Array.from({ length: n }, (_, i) => ({
          indicatorCode: ['1.2', '5.5', '10.1', '2.1'][i % 4],
          regionCode: regions[i % regions.length],
          date: `2023-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
          value: String(1 + (i % 7)),
          ref: `bulk-${offset + i}`,
        }));
      await t.gql(office, submit, { input: batch(10, 0) });
      // a token's first use records it (last used): not part of what a read costs
      await t.gql(bi, '{ me { role } }');
      t.hub.database.counter.reset();
      expect((await t.gql(bi, query)).errors).toBeUndefined();
      const few = t.hub.database.counter.count;
      for (let k = 0; k < 3; k += 1) expect((await t.gql(office, submit, { input: batch(1000, 10 + k * 1000) })).errors).toBeUndefined();
      t.hub.database.counter.reset();
      expect((await t.gql(bi, query)).errors).toBeUndefined();
      expect(t.hub.database.counter.count).toBe(few);
      expect(few).toBeLessThanOrEqual(16);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('concurrent writers', () => {
  it('keep the daily roll-up equal to the facts when they write the same days at once', async () => {
    const t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    try {
      const writers = [await t.token('AGENCY', 'HRSS'), await t.token('OFFICE'), await t.token('AGENCY', 'HRSS')];
      // 3 writers × 4 batches × 25 loans of 0.01 亿元 on the same two days in the same county: 300 × 0.01 = 3 亿元
      const batches = writers.flatMap((token, w) =>
        Array.from({ length: 4 }, (_, b) =>
          t.gql(token, submit, {
            input: Array.from({ length: 25 }, (_, i) => ({
              indicatorCode: '1.2',
              regionCode: '361102',
              date: i % 2 === 0 ? '2023-03-01' : '2023-03-02',
              value: '0.01',
              ref: `w${w}-b${b}-i${i}`,
            })),
          }),
        ),
      );
      for (const response of await Promise.all(batches)) expect(response.errors).toBeUndefined();
      const { data } = await t.gql(writers[1], '{ indicator(code: "1.2") { progress { value } } }');
      // the two HRSS tokens are one source: refs w0-… and w2-… are distinct, so all 300 count
      expect(data!.indicator.progress.value).toBe('3');
      const daily = await queryRows<{ day: string; total: string; n: number }>(
        t.hub.db,
        sql`select observed_on::text as day, sum_value::text as total, observation_count as n from indicator_daily order by 1`,
      );
      // 13 even-numbered items per batch on the 1st, 12 on the 2nd: 12 batches × 13 × 0.01 = 1.56; × 12 × 0.01 = 1.44
      expect(daily).toEqual([
        { day: '2023-03-01', total: '1.56', n: 156 },
        { day: '2023-03-02', total: '1.44', n: 144 },
      ]);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('the last value received', () => {
  it('wins a LATEST tie on one day even when the clock is pinned', async () => {
    const t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    try {
      const civil = await t.token('AGENCY', 'CIVIL');
      const send = (ref: string, value: string) =>
        t.gql(civil, submit, { input: [{ indicatorCode: '2.1', regionCode: '361102', date: '2023-07-01', value, ref }] });
      // three writes at the same pinned instant: A = 885, then B = 880, then A revised to 890
      await send('A', '885');
      await send('B', '880');
      expect((await send('A', '890')).data!.submitObservations).toMatchObject({ revised: 1 });
      const { data } = await t.gql(civil, '{ indicator(code: "2.1") { progress(regionCode: "361102") { value } } }');
      expect(data!.indicator.progress.value).toBe('890');
    } finally {
      await t.close();
    }
  });
});
