import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { loadPlan } from '../src/plan/plan.loader.js';
import { parsePlanFile } from '../src/plan/plan.file.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { readFileSync } from 'node:fs';
import { planPath } from './support/plan-overlay.js';

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!) {
    submitObservations(planCode: "shangrao-2023", input: $input) {
      accepted
      created
      revised
      unchanged
    }
  }
`;

/** The roll-ups rebuilt from the facts, beside what the writers kept: every difference is a row. */
async function rollupDifferences(t: TestHub) {
  const daily = await queryRows(
    t.hub.db,
    sql`with facts as (
          select indicator_id, region_id, stage_id, observed_on, sum(value) as total, count(*)::int as n,
                 (array_agg(value order by write_seq desc))[1] as latest, max(write_seq) as seq
          from observations group by 1, 2, 3, 4
        )
        select coalesce(f.indicator_id, d.indicator_id) as indicator, coalesce(f.observed_on, d.observed_on)::text as day,
               f.total::text as fact_total, d.sum_value::text as kept_total, f.n as fact_n, d.observation_count as kept_n,
               f.latest::text as fact_latest, d.latest_value::text as kept_latest
        from facts f full join indicator_daily d using (indicator_id, region_id, stage_id, observed_on)
        where f.total is distinct from d.sum_value or f.n is distinct from d.observation_count
           or f.latest is distinct from d.latest_value or f.seq is distinct from d.latest_seq`,
  );
  const monthly = await queryRows(
    t.hub.db,
    sql`with facts as (
          select indicator_id, region_id, stage_id, date_trunc('month', observed_on::timestamp)::date as month, sum(value) as total,
                 count(*)::int as n
          from observations group by 1, 2, 3, 4
        )
        select coalesce(f.indicator_id, m.indicator_id) as indicator, coalesce(f.month, m.month)::text as month,
               f.total::text as fact_total, m.sum_value::text as kept_total, f.n as fact_n, m.observation_count as kept_n
        from facts f full join indicator_monthly m using (indicator_id, region_id, stage_id, month)
        where f.total is distinct from m.sum_value or f.n is distinct from m.observation_count`,
  );
  return { daily, monthly };
}

describe('writers that do not wait for each other', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
  });
  afterAll(() => t.close());

  it('create a ref sent twice at once only once', async () => {
    const office = await t.token('OFFICE');
    const input = Array.from({ length: 200 }, (_, i) => ({
      indicatorCode: '1.2',
      regionCode: '361104',
      date: '2023-04-01',
      value: '0.01',
      ref: `twice-${i}`,
    }));
    const answers = await Promise.all([1, 2, 3].map(() => t.gql(office, submit, { input })));
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    const counts = answers.map((a) => a.data!.submitObservations);
    // every ref is created by exactly one delivery; the others find it unchanged
    expect(counts.reduce((n, c) => n + c.created, 0)).toBe(200);
    expect(counts.reduce((n, c) => n + c.unchanged, 0)).toBe(400);
    const [rows] = await queryRows<{ facts: number; revisions: number; total: string }>(
      t.hub.db,
      sql`select (select count(*) from observations where ref like 'twice-%')::int as facts,
                 (select count(*) from observation_revisions r join observations o on o.id = r.observation_id where o.ref like 'twice-%')::int as revisions,
                 (select sum_value::text from indicator_daily d join regions r on r.id = d.region_id where r.code = '361104' and d.observed_on = '2023-04-01') as total`,
    );
    expect(rows).toEqual({ facts: 200, revisions: 200, total: '2' });
  });

  it('keep the daily and monthly roll-ups equal to the facts while they create, revise and move the same refs', async () => {
    const tokens = [
      await t.token('OFFICE'),
      await t.token('OFFICE'),
      await t.token('AGENCY', 'HRSS'),
      await t.token('AGENCY', 'CIVIL'),
      await t.token('AGENCY', 'CIVIL'),
    ];
    const days = ['2023-03-30', '2023-03-31', '2023-04-01', '2023-04-02'];
    const regions = ['361102', '361103'];
    // each writer sends 6 batches over one pool of 40 refs per source: creates, then revisions that change
    // values, days (across a month's end) and regions, on a SUM (1.2) and a LATEST (2.1) indicator; the
    // last writer revises values in place (same day and region), beside the other CIVIL writer's facts
    const batches = tokens.flatMap((token, w) =>
      Array.from({ length: 6 }, (_, b) =>
        t.gql(token, submit, {
          input: Array.from({ length: 30 }, (_, i) => {
            const ref = (i * 7 + b * 11 + w * 3) % 40;
            const latest = w >= 3;
            const inPlace = w === 4;
            return {
              indicatorCode: latest ? '2.1' : '1.2',
              regionCode: regions[(ref + (inPlace ? 0 : b)) % 2],
              date: days[(ref + (inPlace ? 0 : b) + w) % days.length],
              value: latest ? String(800 + ((ref * 13 + b * 7) % 90)) : `0.0${1 + ((ref + b * 3 + w) % 9)}`,
              ref: `pool-${ref}`,
            };
          }),
        }),
      ),
    );
    const answers = await Promise.all(batches);
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    const revised = answers.reduce((n, a) => n + a.data!.submitObservations.revised, 0);
    expect(revised).toBeGreaterThan(0);
    expect(await rollupDifferences(t)).toEqual({ daily: [], monthly: [] });
    // the audit trail holds every revision of every fact, the first included
    const [trail] = await queryRows<{ missing: number }>(
      t.hub.db,
      sql`select count(*)::int as missing from observations o
          where o.revision <> (select count(*) from observation_revisions r where r.observation_id = o.id)`,
    );
    expect(trail.missing).toBe(0);
  }, 60_000);
});

describe('figures kept under a data version', () => {
  let t: TestHub;
  let bi: string;
  const figure = `{ indicator(code: "10.1") { progress { value percent } } }`;
  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    bi = await t.token('BI');
  });
  afterAll(() => t.close());

  it('are never older than a write that returned, whichever process wrote it', async () => {
    expect((await t.gql(bi, figure)).data!.indicator.progress).toEqual({ value: null, percent: null });
    // another process of the hub (its own figure cache) writes; this one answers the next read
    const replica = await t.replica();
    try {
      const plan = (await replica.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
      const writer = { source: 'agency:REDCROSS', agencyId: null, clientId: null, feedRunId: null };
      const item = { indicatorCode: '10.1', regionCode: '361102', date: '2023-05-01', value: '43', ref: 'AED-1' };
      await replica.observations.submit(plan, writer, [item], false);
      expect((await t.gql(bi, figure)).data!.indicator.progress).toEqual({ value: '43', percent: 50 });
      await replica.observations.submit(plan, writer, [{ ...item, value: '86' }], false);
      expect((await t.gql(bi, figure)).data!.indicator.progress).toEqual({ value: '86', percent: 100 });
    } finally {
      await replica.close();
    }
  });

  it('follow a corrected plan at once', async () => {
    expect((await t.gql(bi, figure)).data!.indicator.progress).toEqual({ value: '86', percent: 100 });
    const corrected = readFileSync(planPath, 'utf8').replace('target: "86"', 'target: "172"');
    expect((await loadPlan(t.hub.db, parsePlanFile(corrected), t.clock)).outcome).toBe('updated');
    expect((await t.gql(bi, figure)).data!.indicator.progress).toEqual({ value: '86', percent: 50 });
  });
});
