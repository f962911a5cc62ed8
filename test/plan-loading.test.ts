import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/database.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../src/plan/plan.loader.js';
import { PlanFileError, parsePlanFile } from '../src/plan/plan.file.js';
import { loadPlanFile } from '../src/plan/plan.files.js';
import { planPath, startTestHub, type TestHub } from './support/hub.js';

const planText = readFileSync(planPath, 'utf8');

/** Every row the plan tables hold, as text: equal snapshots mean nothing changed. */
async function snapshot(t: TestHub): Promise<string> {
  const tables = [
    'plans',
    'agencies',
    'regions',
    'plan_regions',
    'projects',
    'project_agencies',
    'indicators',
    'indicator_stages',
    'reporting_rounds',
  ];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await queryRows(t.hub.db, sql.raw(`select * from ${table} order by 1, 2`));
    parts.push(`${table}: ${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}

describe('loading plan files', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  it('loading the same plan twice changes nothing', async () => {
    const before = await snapshot(t);
    const again = await loadPlanFile(t.hub.db, planPath, t.clock);
    expect(again.outcome).toBe('unchanged');
    // a file that differs only in comments and layout is the same plan
    const reformatted = parsePlanFile(`# another comment\n${planText.replace(/\n\n/g, '\n')}`);
    t.clock.advance(60_000);
    expect((await loadPlan(t.hub.db, reformatted, t.clock)).outcome).toBe('unchanged');
    expect(await snapshot(t)).toBe(before);
  });

  it('a corrected plan updates in place and keeps the observations', async () => {
    const [indicator] = await queryRows<{ id: number }>(t.hub.db, sql`select id from indicators where code = '10.1'`);
    const [city] = await queryRows<{ id: number }>(t.hub.db, sql`select id from regions where code = '361100'`);
    await t.hub.db.execute(sql`
      insert into observations (indicator_id, region_id, observed_on, value, source, ref, created_at, updated_at)
      values (${indicator.id}, ${city.id}, '2023-03-01', '12', 'agency:REDCROSS', 'aed-1', now(), now())`);

    const corrected = parsePlanFile(planText.replace('target: "86"', 'target: "90"'));
    const result = await loadPlan(t.hub.db, corrected, t.clock);
    expect(result.outcome).toBe('updated');
    const rows = await queryRows(
      t.hub.db,
      sql`select i.id, i.target, o.value from indicators i join observations o on o.indicator_id = i.id where i.code = '10.1'`,
    );
    expect(rows).toEqual([{ id: indicator.id, target: '90', value: '12' }]);

    // removing an indicator that holds data is refused, and nothing changes
    const before = await snapshot(t);
    const withoutAed = parsePlanFile(planText.replace(/ {6}- \{ code: "10\.1".*\n/, ''));
    await expect(loadPlan(t.hub.db, withoutAed, t.clock)).rejects.toThrow(/indicator 10\.1 was removed but holds observations/);
    expect(await snapshot(t)).toBe(before);
    await loadPlan(t.hub.db, parsePlanFile(planText), t.clock);
  });

  it('a second plan lives beside the first', async () => {
    const next = parsePlanFile(planText.replace('code: shangrao-2023', 'code: shangrao-2024').replace(/2023-/g, '2024-'));
    expect((await loadPlan(t.hub.db, next, t.clock)).outcome).toBe('created');
    const token = await t.token('OFFICE');
    const { data } = await t.gql(token, '{ plans { code periodStart projects { number } } }');
    expect(data!.plans.map((p: any) => [p.code, p.periodStart, p.projects.length])).toEqual([
      ['shangrao-2023', '2023-01-01', 10],
      ['shangrao-2024', '2024-01-01', 10],
    ]);
  });
});

describe('a malformed plan file', () => {
  const faulty = planText
    .replace('target: "19.5"', 'target: "19,5"') // not a decimal
    .replace('lead: [HRSS]', 'lead: [HRSS, TREASURY]') // unknown agency
    .replace('numerator: "1.5"', 'numerator: "1.9"') // unknown numerator
    .replace('baseline: "825"', 'baseline: "900"') // baseline above target
    .replace('weight: "40"', 'weight: "30"') // stages sum to 90
    .replace('issuedOn: 2023-05-31', 'issuedOn: 2023-02-30'); // no such date

  it('is refused whole, with every problem listed by path and line', () => {
    let error: PlanFileError | undefined;
    try {
      parsePlanFile(faulty, 'faulty.yaml');
    } catch (e) {
      error = e as PlanFileError;
    }
    expect(error).toBeInstanceOf(PlanFileError);
    const problems = error!.problems.map((p) => `${p.path}@${p.line}: ${p.message}`);
    const lineOf = (needle: string) => faulty.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(problems).toEqual(
      expect.arrayContaining([
        `issuedOn@${lineOf('issuedOn: 2023-02-30')}: must be a date YYYY-MM-DD`,
        `projects[0].indicators[1].target@${lineOf('target: "19,5"')}: must be a decimal number such as "19.5"`,
        `projects[0].lead[1]@${lineOf('lead: [HRSS, TREASURY]')}: agency "TREASURY" is not listed under agencies`,
        `projects[0].indicators[6].numerator@${lineOf('numerator: "1.9"')}: indicator "1.9" is not in this plan`,
        `projects[1].indicators[0].baseline@${lineOf('baseline: "900"')}: must be below the target`,
        `projects[8].indicators[0].stages@${lineOf('code: liaison')}: stage weights must sum to 100, not 90`,
      ]),
    );
    expect(problems).toHaveLength(6);
    expect(error!.message).toContain('faulty.yaml was refused (6 problems)');
  });

  it('that is not even YAML is refused with its line', () => {
    expect(() => parsePlanFile('code: [unclosed\ntitle: x', 'broken.yaml')).toThrow(
      /broken\.yaml was refused \(1 problem\):\n {2}- line \d+/,
    );
  });

  it('leaves the database as it was', async () => {
    const t = await startTestHub({ loadPlan: false });
    try {
      await expect(async () => loadPlan(t.hub.db, parsePlanFile(faulty), t.clock)).rejects.toThrow(PlanFileError);
      const rows = await queryRows(
        t.hub.db,
        sql`select (select count(*) from plans)::int as plans, (select count(*) from agencies)::int as agencies`,
      );
      expect(rows).toEqual([{ plans: 0, agencies: 0 }]);
    } finally {
      await t.close();
    }
  });
});

describe('a corrected plan never erases history', () => {
  it('refuses to move a round that already has reports, or to drop a project that has them', async () => {
    const t = await startTestHub({ now: '2023-06-20T10:00:00+08:00' });
    try {
      const hrss = await t.token('AGENCY', 'HRSS');
      const { data } = await t.gql(hrss, '{ reportingRounds { id } }');
      const report = await t.gql(
        hrss,
        'mutation ($round: ID!) { submitProgressReport(input: { roundId: $round, projectNumber: 1, text: "进展" }) { id } }',
        {
          round: data!.reportingRounds[0].id,
        },
      );
      expect(report.errors).toBeUndefined();
      const moved = parsePlanFile(planText.replace('dueOn: 2023-06-28', 'dueOn: 2023-06-30'));
      await expect(loadPlan(t.hub.db, moved, t.clock)).rejects.toThrow(
        /round\(s\) due 2023-06-28 were removed but already have reports or reminders/,
      );
      const withoutProject1 = planText.replace(/ {2}- number: 1\n[\s\S]*?(?= {2}- number: 2\n)/, '');
      await expect(loadPlan(t.hub.db, parsePlanFile(withoutProject1), t.clock)).rejects.toThrow(
        /project\(s\) 1 were removed but have progress reports/,
      );
      const rounds = await queryRows<{ n: number }>(t.hub.db, sql`select count(*)::int as n from progress_reports`);
      expect(rounds[0].n).toBe(1);
    } finally {
      await t.close();
    }
  });
});
