import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../src/plan/plan.loader.js';
import { parsePlanFile } from '../src/plan/plan.file.js';
import { planPath, startTestHub, type TestHub } from './support/hub.js';

const everything = /* GraphQL */ `
  query ($plan: String!) {
    plan(code: $plan) {
      code
      reportingRounds {
        dueOn
        deadline
      }
      projects {
        number
        title
        leadAgencies {
          code
          name
          leads(planCode: $plan) {
            number
          }
        }
        responsibleAgencies {
          code
        }
        indicators {
          code
          name
          unit
          target
          baseline
          numeratorCode
          stages {
            code
            weight
          }
          project {
            number
          }
        }
      }
    }
  }
`;

/** A plan several times the size of 2023's: 30 projects, each with 6 indicators of three kinds and 2 leads. */
function biggerPlan(): string {
  const base = readFileSync(planPath, 'utf8');
  const head = base.slice(0, base.indexOf('projects:'));
  const projects = Array.from({ length: 30 }, (_, p) => {
    const n = p + 1;
    const indicators = Array.from(
      { length: 4 },
      (_, i) => `      - { code: "${n}.${i + 1}", name: 指标${n}-${i + 1}, kind: TARGET, unit: 户, target: "${10 + i}" }`,
    );
    // every kind that has relations of its own, in every project
    indicators.push(
      `      - { code: "${n}.5", name: 比例${n}, kind: THRESHOLD, unit: "%", target: "50", numerator: "${n}.1", denominator: "${n}.2" }`,
    );
    indicators.push(
      `      - { code: "${n}.6", name: 阶段${n}, kind: MILESTONE, unit: "%", stages: [{ code: a, name: 甲, weight: "60" }, { code: b, name: 乙, weight: "40" }] }`,
    );
    return [
      `  - number: ${n}`,
      `    title: 实事${n}`,
      '    lead: [CIVIL, HEALTH]',
      '    responsible: [DPF]',
      '    indicators:',
      ...indicators,
    ].join('\n');
  });
  return `${head.replace('code: shangrao-2023', 'code: big-plan')}projects:\n${projects.join('\n')}\n`;
}

describe('reads cost a fixed number of SQL statements', () => {
  let t: TestHub;
  let token: string;
  beforeAll(async () => {
    t = await startTestHub();
    await loadPlan(t.hub.db, parsePlanFile(biggerPlan()), t.clock);
    token = await t.token('BI');
    // a token's first use records it (at most once a minute); the reads below are what is counted
    await t.gql(token, '{ me { role } }');
  });
  afterAll(() => t.close());

  async function statementsFor(plan: string): Promise<{ count: number; projects: number; indicators: number }> {
    t.hub.database.counter.reset();
    const { data, errors } = await t.gql(token, everything, { plan });
    expect(errors).toBeUndefined();
    const projects = data!.plan.projects;
    return {
      count: t.hub.database.counter.count,
      projects: projects.length,
      indicators: projects.reduce((n: number, p: any) => n + p.indicators.length, 0),
    };
  }

  it('the all-projects query costs the same for 10 projects as for 30', async () => {
    const small = await statementsFor('shangrao-2023');
    const big = await statementsFor('big-plan');
    expect([small.projects, small.indicators]).toEqual([10, 39]);
    expect([big.projects, big.indicators]).toEqual([30, 180]);
    expect(big.count).toBe(small.count);
    // token, plan, projects, agency links, agencies, lead links, indicators, stages, rounds, projects by id
    expect(small.count).toBeLessThanOrEqual(12);
  });
});
