import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';
import { civilStandards, laterLoan, loans, ndrcStages, redcrossAeds } from './support/sample-data.js';

// Every expected figure below is worked out by hand in the comment beside it.
// The plan period is 2023-01-01..2023-12-31: 365 days. Expected progress:
//   2023-03-31 is day 90:  90/365 = 24.6575… → 24.66
//   2023-05-31 is day 151: 151/365 = 41.3698… → 41.37
//   2023-06-28 is day 179: 179/365 = 49.0410… → 49.04
//   2023-07-01 is day 182: 182/365 = 49.8630… → 49.86

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!, $dryRun: Boolean) {
    submitObservations(planCode: "shangrao-2023", input: $input, dryRun: $dryRun) {
      accepted
      created
      revised
      unchanged
    }
  }
`;
const progressOf = /* GraphQL */ `
  query ($code: String!, $asOf: Date, $region: String) {
    indicator(code: $code) {
      progress(asOf: $asOf, regionCode: $region) {
        value
        percent
        expectedPercent
        achieved
        status
        asOf
      }
    }
  }
`;

describe('bureaus push data and the hub computes progress exactly', () => {
  let t: TestHub;
  let hrss: string;
  let civil: string;
  let ndrc: string;
  let redcross: string;
  let bi: string;
  const pastAnswers: unknown[] = [];
  const pastQuery = /* GraphQL */ `
    {
      plan {
        progress(asOf: "2023-06-28") {
          percent
          status
        }
      }
      indicator(code: "1.2") {
        progress(asOf: "2023-06-28") {
          value
          percent
        }
        series(to: "2023-06-28") {
          date
          value
          percent
        }
      }
      consolidatedIndicators(asOf: "2023-06-28", regionCode: "ALL") {
        indicatorCode
        regionCode
        value
        percent
        status
      }
    }
  `;

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    [hrss, civil, ndrc, redcross, bi] = await Promise.all([
      t.token('AGENCY', 'HRSS'),
      t.token('AGENCY', 'CIVIL'),
      t.token('AGENCY', 'NDRC'),
      t.token('AGENCY', 'REDCROSS'),
      t.token('BI'),
    ]);
    const results = await Promise.all([
      t.gql(hrss, submit, { input: loans }),
      t.gql(civil, submit, { input: civilStandards }),
      t.gql(ndrc, submit, { input: ndrcStages }),
      t.gql(redcross, submit, { input: redcrossAeds }),
    ]);
    for (const r of results) expect(r.errors).toBeUndefined();
    pastAnswers.push(await t.gql(bi, pastQuery));
    const later = await t.gql(hrss, submit, { input: laterLoan });
    expect(later.data!.submitObservations).toEqual({ accepted: 2, created: 2, revised: 0, unchanged: 0 });
  });
  afterAll(() => t.close());

  const progress = async (code: string, asOf?: string, region?: string) => {
    const { data, errors } = await t.gql(bi, progressOf, { code, asOf, region });
    expect(errors).toBeUndefined();
    return data!.indicator.progress;
  };

  it('adds loans sent in 万元, 元 and 亿元 exactly in 亿元 (TARGET)', async () => {
    // 0.5 + 1.25 = 1.75; 1.75 / 19.5 = 8.9743… %; expected 24.66, 15.69 points behind
    expect(await progress('1.2', '2023-03-31')).toEqual({
      value: '1.75',
      percent: 8.97,
      expectedPercent: 24.66,
      achieved: false,
      status: 'BEHIND',
      asOf: '2023-03-31',
    });
    // + 2.5 = 4.25; 4.25 / 19.5 = 21.7948… %
    expect(await progress('1.2', '2023-06-28')).toMatchObject({ value: '4.25', percent: 21.79, expectedPercent: 49.04, status: 'BEHIND' });
    // + 3 = 7.25; 7.25 / 19.5 = 37.1794… %; default asOf is today, 2023-07-01
    expect(await progress('1.2')).toEqual({
      value: '7.25',
      percent: 37.18,
      expectedPercent: 49.86,
      achieved: false,
      status: 'BEHIND',
      asOf: '2023-07-01',
    });
    // one county: 信州区 has L1 + L3 = 0.5 + 2.5 = 3, never scored against the city's 19.5 (no decomposed
    // target): its share of 全市 is 3 / 7.25 = 41.3793… %
    expect(await progress('1.2', '2023-07-01', '361102')).toMatchObject({ value: '3', percent: null, status: 'NOT_SCORED' });
    const share = await t.gql(bi, '{ indicator(code: "1.2") { progress(regionCode: "361102") { shareOfCity } } }');
    expect(share.data!.indicator.progress.shareOfCity).toBe(41.38);
  });

  it('derives a THRESHOLD from its numerator and denominator, a zero denominator giving no value', async () => {
    // 1.6 = 1.3 / 1.2: March 0.5 / 1.75 = 28.571428…% → percent of the 50 % bound 57.142857… → 57.14;
    // a bound holds all year, so its expected percent is 100 and 57.14 < 90 is BEHIND, even in March
    expect(await progress('1.6', '2023-03-31')).toEqual({
      value: '28.571429',
      percent: 57.14,
      expectedPercent: 100,
      achieved: false,
      status: 'BEHIND',
      asOf: '2023-03-31',
    });
    // July: (0.5 + 2.5 + 2) / 7.25 = 68.965517…% ≥ 50 → achieved; 68.965517… / 50 = 137.931034… %
    expect(await progress('1.6')).toMatchObject({ value: '68.965517', percent: 137.93, achieved: true, status: 'ACHIEVED' });
    // 信州区 alone: 3 / 3 = 100 % → 200 % of the bound
    expect(await progress('1.6', '2023-07-01', '361102')).toMatchObject({ value: '100', percent: 200 });
    // 1.7 = 1.5 / 1.4: in March the only due amount is 0 → no value, not an error
    expect(await progress('1.7', '2023-03-31')).toEqual({
      value: null,
      percent: null,
      expectedPercent: 100,
      achieved: false,
      status: 'NO_DATA',
      asOf: '2023-03-31',
    });
    // May: 0 / 0.8 = 0 %
    expect(await progress('1.7', '2023-05-31')).toMatchObject({ value: '0', percent: 0, expectedPercent: 100, status: 'BEHIND' });
    // July: 0.78 (7800 万元) / 0.8 = 97.5 % ≥ 95; 97.5 / 95 = 102.631578… %
    expect(await progress('1.7')).toMatchObject({ value: '97.5', percent: 102.63, achieved: true, status: 'ACHIEVED' });
  });

  it('gives the city the minimum of the regions for a LEVEL', async () => {
    // March: min(885, 855) = 855; (855 − 825) / (885 − 825) = 30 / 60 = 50 %
    expect(await progress('2.1', '2023-03-31')).toEqual({
      value: '855',
      percent: 50,
      expectedPercent: 24.66,
      achieved: false,
      status: 'ON_TRACK',
      asOf: '2023-03-31',
    });
    // June: 广丰区 reaches 885 too → min 885 → 100 %
    expect(await progress('2.1', '2023-06-28')).toMatchObject({ value: '885', percent: 100, achieved: true, status: 'ACHIEVED' });
    const { data } = await t.gql(
      bi,
      '{ indicator(code: "2.1") { byRegion(asOf: "2023-03-31") { region { code } progress { value percent status } } } }',
    );
    const rows = data!.indicator.byRegion.slice(0, 4);
    // 2.1 is reported by counties and zones: 市本级 (361100) is listed but not judged
    expect(rows).toEqual([
      { region: { code: '361100' }, progress: { value: null, percent: null, status: 'NOT_SCORED' } },
      { region: { code: '361102' }, progress: { value: '885', percent: 100, status: 'ACHIEVED' } },
      { region: { code: '361103' }, progress: { value: '855', percent: 50, status: 'ON_TRACK' } },
      { region: { code: '361104' }, progress: { value: null, percent: null, status: 'NO_DATA' } },
    ]);
    expect(data!.indicator.byRegion).toHaveLength(16);
  });

  it('counts the weights of the MILESTONE stages reported done', async () => {
    // March: liaison (30) → 30 %; July: liaison + preparation = 60 %
    expect(await progress('9.1', '2023-03-31')).toMatchObject({ value: '30', percent: 30, status: 'ON_TRACK' });
    expect(await progress('9.1')).toMatchObject({ value: '60', percent: 60, achieved: false, status: 'ON_TRACK' });
  });

  it('shows a TRACKED value with no percent, never judged', async () => {
    // 120 (市本级) + 80 (信州区) = 200 people trained; the document sets no number
    expect(await progress('10.2')).toEqual({
      value: '200',
      percent: null,
      expectedPercent: 49.86,
      achieved: false,
      status: 'NOT_SCORED',
      asOf: '2023-07-01',
    });
    expect(await progress('10.2', '2023-05-15')).toMatchObject({ value: '120', percent: null });
  });

  it('rolls indicators up into project, plan and agency percents', async () => {
    const { data } = await t.gql(
      bi,
      `{
      plan { progress { percent expectedPercent status partsWithData parts } projects { number progress { percent status partsWithData parts } } }
      agencies { code progress { percent status } }
    }`,
    );
    const projects = new Map<number, any>(data!.plan.projects.map((p: any) => [p.number, p.progress]));
    // project 1: 1.1 = 800/800 = 100; 1.2 = 37.1794…; 1.6 = 137.93… capped 100; 1.7 = 102.63… capped 100
    //   (100 + 37.179487… + 100 + 100) / 4 = 84.294871… → 84.29 (TRACKED 1.3, 1.4, 1.5, 1.8 left out)
    expect(projects.get(1)).toEqual({ percent: 84.29, status: 'ON_TRACK', partsWithData: 4, parts: 4 });
    // project 2: only 2.1 has data (100 %); the seven standards not reported count 0: 100 / 8 = 12.5,
    //   37.36 points behind 49.86 → BEHIND (a report not made is progress not shown)
    expect(projects.get(2)).toEqual({ percent: 12.5, status: 'BEHIND', partsWithData: 1, parts: 8 });
    // projects 3, 4, 5, 6, 8: scored indicators and no data at all
    expect(projects.get(3)).toEqual({ percent: null, status: 'NO_DATA', partsWithData: 0, parts: 3 });
    expect(projects.get(5)).toEqual({ percent: null, status: 'NO_DATA', partsWithData: 0, parts: 5 });
    expect(projects.get(9)).toEqual({ percent: 60, status: 'ON_TRACK', partsWithData: 1, parts: 1 });
    // project 10: 43 / 86 = 50 % (10.2 is TRACKED); 50 ≥ 49.86
    expect(projects.get(10)).toEqual({ percent: 50, status: 'ON_TRACK', partsWithData: 1, parts: 1 });
    // project 7 (HPV) has only TRACKED indicators: shown, never scored, left out of the plan
    expect(projects.get(7)).toEqual({ percent: null, status: 'NOT_SCORED', partsWithData: 0, parts: 0 });
    // plan: nine scored projects, the five without data counting 0:
    //   (84.294871… + 12.5 + 0 + 0 + 0 + 0 + 0 + 60 + 50) / 9 = 206.794871… / 9 = 22.977207… → 22.98
    expect(data!.plan.progress).toEqual({ percent: 22.98, expectedPercent: 49.86, status: 'BEHIND', partsWithData: 4, parts: 9 });
    const agencies = new Map<string, any>(data!.agencies.map((a: any) => [a.code, a.progress]));
    // HRSS leads 1 and 2: (84.294871… + 12.5) / 2 = 48.397435… → 48.40, 1.46 points behind → LAGGING
    expect(agencies.get('HRSS')).toEqual({ percent: 48.4, status: 'LAGGING' });
    // CIVIL leads 2, 3, 4 and 5: (12.5 + 0 + 0 + 0) / 4 = 3.125 → 3.13 (half up)
    expect(agencies.get('CIVIL')).toEqual({ percent: 3.13, status: 'BEHIND' });
    expect(agencies.get('NDRC')).toEqual({ percent: 60, status: 'ON_TRACK' });
    // HEALTH leads 6, 7 and 8: 7 is not scored, 6 and 8 have no data
    expect(agencies.get('HEALTH')).toEqual({ percent: null, status: 'NO_DATA' });
    // FINANCE leads nothing
    expect(agencies.get('FINANCE')).toEqual({ percent: null, status: 'NOT_SCORED' });
  });

  it('gives one series point per day with data, each the value as of that day', async () => {
    const { data } = await t.gql(bi, '{ indicator(code: "1.2") { series { date value percent } } }');
    // 0.5/19.5 = 2.5641…; 1.75/19.5 = 8.9743…; 4.25/19.5 = 21.7948…; 7.25/19.5 = 37.1794…
    expect(data!.indicator.series).toEqual([
      { date: '2023-02-10', value: '0.5', percent: 2.56 },
      { date: '2023-03-15', value: '1.75', percent: 8.97 },
      { date: '2023-05-20', value: '4.25', percent: 21.79 },
      { date: '2023-06-30', value: '7.25', percent: 37.18 },
    ]);
    const window = await t.gql(
      bi,
      '{ indicator(code: "1.2") { series(from: "2023-03-01", to: "2023-05-31", regionCode: "361102") { date value } } }',
    );
    expect(window.data!.indicator.series).toEqual([{ date: '2023-05-20', value: '3' }]);
  });

  it('answers for a past date stay the same after later observations arrive', async () => {
    expect(await t.gql(bi, pastQuery)).toEqual(pastAnswers[0]);
  });

  it('gives BI tools one flat row per indicator, or per indicator and region', async () => {
    const city = await t.gql(
      bi,
      '{ consolidatedIndicators(asOf: "2023-07-01") { indicatorCode projectNumber regionCode value percent status leadAgencyCodes lastObservedOn } }',
    );
    expect(city.data!.consolidatedIndicators).toHaveLength(39);
    expect(city.data!.consolidatedIndicators[1]).toEqual({
      indicatorCode: '1.2',
      projectNumber: 1,
      regionCode: 'ALL',
      value: '7.25',
      percent: 37.18,
      status: 'BEHIND',
      leadAgencyCodes: ['HRSS'],
      lastObservedOn: '2023-06-30',
    });
    // ALL: 全市 and then each of the 16 units (市本级, 12 counties and districts, 3 zones)
    const all = await t.gql(bi, '{ consolidatedIndicators(regionCode: "ALL") { indicatorCode regionCode regionName } }');
    expect(all.data!.consolidatedIndicators).toHaveLength(39 * 17);
    expect(all.data!.consolidatedIndicators.slice(0, 3)).toEqual([
      { indicatorCode: '1.1', regionCode: 'ALL', regionName: '全市' },
      { indicatorCode: '1.1', regionCode: '361100', regionName: '市本级' },
      { indicatorCode: '1.1', regionCode: '361102', regionName: '信州区' },
    ]);
    const unknown = await t.gql(bi, '{ consolidatedIndicators(regionCode: "999999") { indicatorCode } }');
    expect(unknown.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'regionCode' });
  });
});
