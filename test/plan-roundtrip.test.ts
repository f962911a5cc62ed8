import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

// Every target of ../shared/plan-2023.md, typed in by hand: code, kind, unit, target, baseline.
const expectedIndicators: [string, string, string, string | null, string | null][] = [
  ['1.1', 'TARGET', '万元', '800', null],
  ['1.2', 'TARGET', '亿元', '19.5', null],
  ['1.3', 'TRACKED', '亿元', null, null],
  ['1.4', 'TRACKED', '亿元', null, null],
  ['1.5', 'TRACKED', '亿元', null, null],
  ['1.6', 'THRESHOLD', '%', '50', null],
  ['1.7', 'THRESHOLD', '%', '95', null],
  ['1.8', 'TRACKED', '万元', null, null],
  ['2.1', 'LEVEL', '元/人/月', '885', '825'],
  ['2.2', 'LEVEL', '元/人/月', '570', '530'],
  ['2.3', 'LEVEL', '元/人/月', '660', '600'],
  ['2.4', 'LEVEL', '元/人/月', '440', '400'],
  ['2.5', 'LEVEL', '元/人/月', '1150', '1080'],
  ['2.6', 'LEVEL', '元/人/月', '860', '780'],
  ['2.7', 'LEVEL', '元/人/月', '645', '520'],
  ['2.8', 'LEVEL', '元/人/月', '645', '585'],
  ['3.1', 'LEVEL', '元/人/月', '100', '80'],
  ['3.2', 'LEVEL', '元/人/月', '100', '80'],
  ['3.3', 'TRACKED', '人', null, null],
  ['3.4', 'TARGET', '户', '2080', null],
  ['4.1', 'LEVEL', '元/人/月', '1820', '1600'],
  ['4.2', 'LEVEL', '元/人/月', '1360', '1200'],
  ['4.3', 'LEVEL', '元/人/月', '1360', '1200'],
  ['4.4', 'LEVEL', '元/人/月', '1380', null],
  ['4.5', 'TRACKED', '人次', null, null],
  ['5.1', 'TARGET', '家', '6', null],
  ['5.2', 'TARGET', '家', '3', null],
  ['5.3', 'TARGET', '家', '2', null],
  ['5.4', 'TARGET', '家', '29', null],
  ['5.5', 'TARGET', '户', '2000', null],
  ['6.1', 'LEVEL', '元/人/月', '300', '200'],
  ['6.2', 'TRACKED', '人', null, null],
  ['7.1', 'TRACKED', '人', null, null],
  ['7.2', 'TRACKED', '人', null, null],
  ['8.1', 'TARGET', '项', '8', null],
  ['8.2', 'TRACKED', '人次', null, null],
  ['9.1', 'MILESTONE', '%', null, null],
  ['10.1', 'TARGET', '台', '86', null],
  ['10.2', 'TRACKED', '人', null, null],
];

const expectedProjects: [number, string, string[], string[]][] = [
  [1, '加大创业担保贷款扶持力度', ['HRSS'], []],
  [2, '提高低保对象等困难群众基本生活保障标准', ['CIVIL', 'HRSS'], []],
  [3, '改善残疾人生活和照顾服务', ['CIVIL', 'DPF'], ['NDRC', 'HOUSING', 'RURAL']],
  [4, '关心关爱城乡孤儿、事实无人抚养儿童和留守儿童', ['CIVIL'], ['DPF', 'CIVILIZATION', 'YOUTH', 'WOMEN', 'REDCROSS']],
  [5, '推进养老服务体系建设', ['CIVIL'], ['HEALTH']],
  [6, '加大婴幼儿入托补贴补助力度', ['HEALTH'], []],
  [7, '为适龄女生免费接种人乳头瘤病毒疫苗', ['HEALTH'], ['WOMEN', 'EDU']],
  [8, '免费提供出生缺陷防控服务', ['HEALTH'], []],
  [9, '开展基层人工智能辅助智慧医疗系统建设', ['NDRC'], ['HEALTH', 'MEDINS', 'SAMR']],
  [10, '加大自动体外除颤器投放力度', ['REDCROSS'], []],
];

const planQuery = /* GraphQL */ `
  query {
    plan(code: "shangrao-2023") {
      code
      title
      documentNumber
      issuedOn
      periodStart
      periodEnd
      reportingRounds {
        dueOn
        deadline
      }
      projects {
        number
        title
        leadAgencies {
          code
        }
        responsibleAgencies {
          code
        }
        indicators {
          code
          kind
          unit
          target
          baseline
          numeratorCode
          denominatorCode
          stages {
            code
            weight
          }
        }
      }
    }
  }
`;

describe('the 2023 plan through the API', () => {
  let t: TestHub;
  let token: string;
  beforeAll(async () => {
    t = await startTestHub();
    token = await t.token('BI');
  });
  afterAll(() => t.close());

  it('carries the document header and the three reporting rounds', async () => {
    const { data, errors } = await t.gql(token, planQuery);
    expect(errors).toBeUndefined();
    expect(data!.plan).toMatchObject({
      code: 'shangrao-2023',
      title: '2023年民生实事安排方案',
      documentNumber: '饶府发〔2023〕5号',
      issuedOn: '2023-05-31',
      periodStart: '2023-01-01',
      periodEnd: '2023-12-31',
    });
    expect(data!.plan.reportingRounds).toEqual([
      { dueOn: '2023-06-28', deadline: '2023-06-28T23:59:59.999+08:00' },
      { dueOn: '2023-10-28', deadline: '2023-10-28T23:59:59.999+08:00' },
      { dueOn: '2023-12-23', deadline: '2023-12-23T23:59:59.999+08:00' },
    ]);
  });

  it('has every project with its lead and responsible agencies', async () => {
    const { data } = await t.gql(token, planQuery);
    const projects = data!.plan.projects.map((p: any) => [
      p.number,
      p.title,
      p.leadAgencies.map((a: any) => a.code),
      p.responsibleAgencies.map((a: any) => a.code),
    ]);
    expect(projects).toEqual(expectedProjects);
  });

  it('has every indicator with its kind, unit, target and baseline', async () => {
    const { data } = await t.gql(token, planQuery);
    const indicators = data!.plan.projects.flatMap((p: any) =>
      p.indicators.map((i: any) => [i.code, i.kind, i.unit, i.target, i.baseline]),
    );
    expect(indicators).toEqual(expectedIndicators);
  });

  it('derives the two ratios from their numerator and denominator, and stages the AI system', async () => {
    const { data } = await t.gql(token, planQuery);
    const all = data!.plan.projects.flatMap((p: any) => p.indicators);
    const byCode = new Map<string, any>(all.map((i: any) => [i.code, i]));
    expect(byCode.get('1.6')).toMatchObject({ numeratorCode: '1.3', denominatorCode: '1.2' });
    expect(byCode.get('1.7')).toMatchObject({ numeratorCode: '1.5', denominatorCode: '1.4' });
    expect(byCode.get('9.1').stages).toEqual([
      { code: 'liaison', weight: '30' },
      { code: 'preparation', weight: '30' },
      { code: 'application', weight: '40' },
    ]);
  });

  it('lists the agencies and the regions with their official codes', async () => {
    const { data } = await t.gql(token, '{ agencies { code name } regions { code name } }');
    expect(data!.agencies).toHaveLength(15);
    expect(data!.agencies).toContainEqual({ code: 'FINANCE', name: '市财政局' });
    expect(data!.regions.map((r: any) => r.code)).toEqual([
      '361100',
      '361102',
      '361103',
      '361104',
      '361123',
      '361124',
      '361125',
      '361126',
      '361127',
      '361128',
      '361129',
      '361130',
      '361181',
      'SR-ETDZ',
      'SR-SQS',
      'SR-HSR',
    ]);
    // the city code is 市本级, one reporting unit beside the counties and zones (DESIGN.md 4.1)
    expect(data!.regions[0]).toEqual({ code: '361100', name: '市本级' });
  });

  it('finds one project and one indicator, and agencies know what they lead', async () => {
    const { data } = await t.gql(
      token,
      `{ project(planCode: "shangrao-2023", number: 10) { title indicators { code } }
         indicator(code: "2.1") { name target baseline project { number } }
         agencies { code leads { number } } }`,
    );
    expect(data!.project).toEqual({ title: '加大自动体外除颤器投放力度', indicators: [{ code: '10.1' }, { code: '10.2' }] });
    expect(data!.indicator).toEqual({ name: '城市低保月人均保障标准', target: '885', baseline: '825', project: { number: 2 } });
    const leads = new Map(data!.agencies.map((a: any) => [a.code, a.leads.map((p: any) => p.number)]));
    expect(leads.get('CIVIL')).toEqual([2, 3, 4, 5]);
    expect(leads.get('HEALTH')).toEqual([6, 7, 8]);
    expect(leads.get('FINANCE')).toEqual([]);
  });

  it('answers unknown codes with null or NOT_FOUND, never a 500', async () => {
    const { data, errors } = await t.gql(
      token,
      '{ plan(code: "nope") { code } project(number: 99) { title } indicator(code: "99.9") { name } }',
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ plan: null, project: null, indicator: null });
    const rounds = await t.gql(token, '{ reportingRounds(planCode: "nope") { dueOn } }');
    expect(rounds.errors![0].extensions!.code).toBe('NOT_FOUND');
    expect(rounds.errors![0].extensions!.field).toBe('planCode');
  });

  it('uses the plan whose period holds today when no code is given', async () => {
    const { data } = await t.gql(token, '{ plan { code } reportingRounds { dueOn } }');
    expect(data!.plan.code).toBe('shangrao-2023');
    expect(data!.reportingRounds).toHaveLength(3);
  });
});
