import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../src/db/database.js';
import { Decimal } from '../../src/shared/decimal.js';
import type { TestHub } from './hub.js';

const same = (a: string | number | null, b: string | null) => (a === null ? b === null : b !== null && new Decimal(a).eq(b));

/**
 * The `bi.*` functions give exactly the GraphQL figures for a date: every indicator in 全市 and every
 * unit, every project, and the plan. Returns how many rows had a value, so a caller can tell it did
 * not compare empty tables.
 */
export async function expectSqlAgreesWithGraphQL(t: TestHub, token: string, asOf: string, planCode = 'shangrao-2023'): Promise<number> {
  const { data, errors } = await t.gql(
    token,
    `query ($asOf: Date, $plan: String) {
      consolidatedIndicators(planCode: $plan, asOf: $asOf, regionCode: "ALL") {
        indicatorCode regionCode regionName target value percent expectedPercent shareOfCity status lastObservedOn }
      plan(code: $plan) { progress(asOf: $asOf) { percent expectedPercent status partsWithData parts }
        projects { number progress(asOf: $asOf) { percent status partsWithData parts } } } }`,
    { asOf, plan: planCode },
  );
  expect(errors).toBeUndefined();
  const rows = await queryRows<Record<string, string | null>>(
    t.hub.db,
    sql`select indicator_code, region_code, region_name, target::text, value::text, percent::text, expected_percent::text,
               share_of_city::text, status, last_observed_on::text
        from bi.indicator_progress_at(${planCode}, ${asOf}::date)`,
  );
  expect(rows).toHaveLength(data!.consolidatedIndicators.length);
  const fromSql = new Map(rows.map((r) => [`${r.indicator_code}|${r.region_code}`, r]));
  let valued = 0;
  for (const row of data!.consolidatedIndicators) {
    const other = fromSql.get(`${row.indicatorCode}|${row.regionCode}`)!;
    expect([
      row.indicatorCode,
      row.regionCode,
      other.region_name,
      same(row.target, other.target),
      same(row.value, other.value),
      same(row.percent, other.percent),
      same(row.expectedPercent, other.expected_percent),
      same(row.shareOfCity, other.share_of_city),
      other.status,
      other.last_observed_on,
    ]).toEqual([row.indicatorCode, row.regionCode, row.regionName, true, true, true, true, true, row.status, row.lastObservedOn]);
    if (row.value !== null) valued += 1;
  }

  const projects = await queryRows<{ project_number: number; percent: string | null; status: string; with_data: number; parts: number }>(
    t.hub.db,
    sql`select project_number, percent::text, status, indicators_with_data as with_data, indicators_scored as parts
        from bi.project_progress_at(${planCode}, ${asOf}::date)`,
  );
  expect(
    projects.map((r) => ({
      number: r.project_number,
      progress: { percent: r.percent === null ? null : Number(r.percent), status: r.status, partsWithData: r.with_data, parts: r.parts },
    })),
  ).toEqual(data!.plan.projects);

  const [plan] = await queryRows<{ percent: string | null; expected: string; status: string; with_data: number; parts: number }>(
    t.hub.db,
    sql`select percent::text, expected_percent::text as expected, status, projects_with_data as with_data, projects_scored as parts
        from bi.plan_progress_at(${planCode}, ${asOf}::date)`,
  );
  expect({
    percent: plan.percent === null ? null : Number(plan.percent),
    expectedPercent: Number(plan.expected),
    status: plan.status,
    partsWithData: plan.with_data,
    parts: plan.parts,
  }).toEqual(data!.plan.progress);
  return valued;
}
