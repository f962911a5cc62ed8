import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedRejections } from '../drizzle/schema/index.js';
import { queryRows } from '../src/db/database.js';
import { parsePlanFile, PlanFileError } from '../src/plan/plan.file.js';
import { expectSqlAgreesWithGraphQL } from './support/bi-compare.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { planWithRegionTargets } from './support/plan-overlay.js';

// Figures that mean what the office reads them as (DESIGN.md 4.1–4.5), each worked out by hand.
// The hub's clock stands at 2023-07-01: day 182 of 365, expected progress 182/365 = 49.8630… → 49.86.
// 10.1 (86 AEDs) is decomposed for this test only: 信州区 10, 广丰区 6 (the other units have none).

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!) {
    submitObservations(planCode: "shangrao-2023", input: $input) {
      accepted
      created
    }
  }
`;
const figure = /* GraphQL */ `
  query ($code: String!, $region: String, $asOf: Date) {
    indicator(code: $code) {
      progress(regionCode: $region, asOf: $asOf) {
        value
        percent
        expectedPercent
        shareOfCity
        status
      }
    }
  }
`;
const item = (indicatorCode: string, regionCode: string, date: string, value: string, ref: string, unit?: string) => ({
  indicatorCode,
  regionCode,
  date,
  value,
  ref,
  ...(unit ? { unit } : {}),
});

describe('figures that mean what the office reads them as', () => {
  let t: TestHub;
  let hrss: string;
  let civil: string;
  let health: string;
  let redcross: string;
  let ndrc: string;
  let bi: string;

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00', regionTargets: { '10.1': { '361102': '10', '361103': '6' } } });
    [hrss, civil, health, redcross, ndrc, bi] = await Promise.all([
      t.token('AGENCY', 'HRSS'),
      t.token('AGENCY', 'CIVIL'),
      t.token('AGENCY', 'HEALTH'),
      t.token('AGENCY', 'REDCROSS'),
      t.token('AGENCY', 'NDRC'),
      t.token('BI'),
    ]);
    const batches: [string, ReturnType<typeof item>[]][] = [
      [
        hrss,
        [
          // loans: 信州区 12000 万元 = 1.2 亿元, 广丰区 0.4013 亿元, and the city's guarantee centre (市本级) 5 亿元
          item('1.2', '361102', '2023-03-10', '12000', 'L-XZ', '万元'),
          item('1.2', '361103', '2023-04-10', '0.4013', 'L-GF'),
          item('1.2', '361100', '2023-05-10', '5', 'L-CITY'),
          // due and recovered: 鄱阳县 1 of which 0.83; 广丰区 1 of which 0.9
          item('1.4', '361128', '2023-05-01', '1', 'D-PY'),
          item('1.5', '361128', '2023-06-01', '0.83', 'D-PY'),
          item('1.4', '361103', '2023-05-01', '1', 'D-GF'),
          item('1.5', '361103', '2023-06-01', '0.9', 'D-GF'),
        ],
      ],
      // 10.1: 信州区 4 of its 10, 广丰区 6 of its 6, 鄱阳县 3 (no target of its own)
      [
        redcross,
        [
          item('10.1', '361102', '2023-05-01', '4', 'A-XZ'),
          item('10.1', '361103', '2023-05-01', '6', 'A-GF'),
          item('10.1', '361128', '2023-06-01', '3', 'A-PY'),
        ],
      ],
      // 5.1 (6 community homes): 4 in four counties; the other four indicators of project 5 unreported
      [
        civil,
        [
          item('5.1', '361102', '2023-06-01', '1', 'E-1'),
          item('5.1', '361103', '2023-06-01', '1', 'E-2'),
          item('5.1', '361104', '2023-06-01', '1', 'E-3'),
          item('5.1', '361123', '2023-06-01', '1', 'E-4'),
        ],
      ],
      // 7.1 HPV (TRACKED): 18230 girls vaccinated in two counties
      [health, [item('7.1', '361102', '2023-06-20', '8230', 'V-XZ'), item('7.1', '361128', '2023-06-20', '10000', 'V-PY')]],
    ];
    for (const [token, input] of batches) {
      const { errors } = await t.gql(token, submit, { input });
      expect(errors).toBeUndefined();
    }
  });
  afterAll(() => t.close());

  const progress = async (code: string, region?: string) => {
    const { data, errors } = await t.gql(bi, figure, { code, region });
    expect(errors).toBeUndefined();
    return data!.indicator.progress;
  };

  describe('市本级 and the counties (4.1)', () => {
    it('全市 adds 市本级 to the counties instead of replacing them', async () => {
      // 1.2 + 0.4013 + 5 = 6.6013 亿元; 6.6013 / 19.5 = 33.852820… % → 33.85, 16.01 behind 49.86 → BEHIND
      expect(await progress('1.2')).toEqual({
        value: '6.6013',
        percent: 33.85,
        expectedPercent: 49.86,
        shareOfCity: null,
        status: 'BEHIND',
      });
      // 市本级 is one unit: 5 of 6.6013 = 75.742656… % of 全市, and no target of its own
      expect(await progress('1.2', '361100')).toEqual({
        value: '5',
        percent: null,
        expectedPercent: 49.86,
        shareOfCity: 75.74,
        status: 'NOT_SCORED',
      });
      // 1.2 / 6.6013 = 18.178237… → 18.18; 0.4013 / 6.6013 = 6.079105… → 6.08
      expect((await progress('1.2', '361102')).shareOfCity).toBe(18.18);
      expect((await progress('1.2', '361103')).shareOfCity).toBe(6.08);
      // ALL is 全市 too
      expect(await progress('1.2', 'ALL')).toEqual(await progress('1.2'));
    });

    it('refuses a write at a level the indicator is not reported at, and writes nothing of the batch', async () => {
      const wrong = await t.gql(civil, submit, {
        input: [item('2.1', '361102', '2023-06-01', '885', 'S-OK'), item('2.1', '361100', '2023-06-01', '885', 'S-CITY')],
      });
      expect(wrong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[1].regionCode', index: 1 });
      expect(wrong.errors![0].message).toContain('counties and zones');
      const city = await t.gql(ndrc, submit, {
        input: [{ ...item('9.1', '361102', '2023-06-01', '1', 'M-XZ'), stageCode: 'liaison' }],
      });
      expect(city.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[0].regionCode' });
      // nothing of either batch was written: 2.1 and 9.1 still have no data
      expect((await progress('2.1')).status).toBe('NO_DATA');
      expect((await progress('9.1')).status).toBe('NO_DATA');
    });

    it('requires regionCode: a missing or empty one is a coded error naming it, and nothing is written', async () => {
      const missing = await t.gql(hrss, submit, { input: [{ indicatorCode: '1.1', date: '2023-06-01', value: '800', ref: 'F-1' }] });
      expect(missing.status).toBe(400);
      expect(missing.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[0].regionCode' });
      const empty = await t.gql(hrss, submit, { input: [item('1.1', ' ', '2023-06-01', '800', 'F-1')] });
      expect(empty.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[0].regionCode' });
      const inline = await t.gql(
        hrss,
        'mutation { submitObservations(input: [{ indicatorCode: "1.1", date: "2023-06-01", value: "800", ref: "F-1" }]) { accepted } }',
      );
      expect(inline.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(inline.errors![0].message).toContain('regionCode');
      expect((await progress('1.1')).value).toBeNull();
    });

    it('a feed record at the wrong level goes to quarantine, naming its own region field, while the rest of the page lands', async () => {
      const records = [
        { id: 'R-1', region: '361104', on: '2023-06-15', amount: '885' },
        { id: 'R-2', region: '361100', on: '2023-06-15', amount: '885' },
      ];
      const server: Server = createServer((_req, res) =>
        res.setHeader('content-type', 'application/json').end(JSON.stringify({ items: records })),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
        const feed = await t.hub.feeds.upsert(plan, {
          agencyCode: 'CIVIL',
          name: '民政局城市低保标准',
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/standards`,
          format: 'JSON',
          recordsPath: 'items',
          schedule: '0 3 * * *',
          mapping: {
            region: { field: 'region' },
            date: { field: 'on' },
            ref: { field: 'id' },
            rules: [{ indicator: '2.1', value: 'amount' }],
          },
        });
        const run = await t.hub.feeds.pull(feed.id, 'level-test', 'MANUAL', 1, true);
        expect([run.status, run.fetched, run.accepted, run.rejected]).toEqual(['SUCCEEDED', 2, 1, 1]);
        const [rejection] = await t.hub.db.select().from(feedRejections).where(eq(feedRejections.feedRunId, run.id));
        // named as the bureau's record names it: the mapping reads the region from `region`
        expect(rejection.field).toBe('region');
        expect(rejection.reason).toContain('counties and zones');
        // 广信区's record landed: 885 is the target, 100 %
        expect(await progress('2.1', '361104')).toMatchObject({ value: '885', percent: 100, status: 'ACHIEVED' });
      } finally {
        server.close();
      }
    });
  });

  describe('decomposed targets (4.3)', () => {
    it('scores a county against its own target, and never against the whole city', async () => {
      // 信州区 4 of its 10 = 40 %: 9.86 points behind 49.86 → LAGGING (not 4 of 86 = 4.65 %, 严重滞后)
      expect(await progress('10.1', '361102')).toEqual({
        value: '4',
        percent: 40,
        expectedPercent: 49.86,
        shareOfCity: 30.77, // 4 of 13 = 30.769…
        status: 'LAGGING',
      });
      // 广丰区 6 of its 6
      expect(await progress('10.1', '361103')).toMatchObject({ percent: 100, status: 'ACHIEVED' });
      // 鄱阳县 has no target of its own: its 3 AEDs are 3 of 13 = 23.076… % of 全市, not scored
      expect(await progress('10.1', '361128')).toEqual({
        value: '3',
        percent: null,
        expectedPercent: 49.86,
        shareOfCity: 23.08,
        status: 'NOT_SCORED',
      });
      // 全市 keeps the document's 86: 13 / 86 = 15.116… % → 15.12, BEHIND
      expect(await progress('10.1')).toMatchObject({ value: '13', percent: 15.12, status: 'BEHIND' });
      const { data } = await t.gql(bi, '{ indicator(code: "10.1") { regionTargets { regionCode target } } }');
      expect(data!.indicator.regionTargets).toEqual([
        { regionCode: '361102', target: '10' },
        { regionCode: '361103', target: '6' },
      ]);
    });

    it('a TARGET without a decomposition leaves every unit NOT_SCORED, with its share', async () => {
      const { data } = await t.gql(
        bi,
        '{ indicator(code: "5.1") { byRegion { region { code name } progress { value percent shareOfCity status } } } }',
      );
      const rows = data!.indicator.byRegion;
      expect(rows).toHaveLength(16);
      // 市本级 first, then the counties: one home of four is 25 % of 全市
      expect(rows[0]).toEqual({
        region: { code: '361100', name: '市本级' },
        progress: { value: null, percent: null, shareOfCity: null, status: 'NOT_SCORED' },
      });
      expect(rows[1]).toEqual({
        region: { code: '361102', name: '信州区' },
        progress: { value: '1', percent: null, shareOfCity: 25, status: 'NOT_SCORED' },
      });
      expect(rows.every((r: any) => r.progress.status === 'NOT_SCORED')).toBe(true);
    });
  });

  describe('bounds (4.4)', () => {
    it('compares a THRESHOLD with its bound, never with time elapsed', async () => {
      // 鄱阳县 0.83 / 1 = 83 %; 83 / 95 = 87.368421… % of the bound, below 90 → BEHIND (not green at 83 %)
      expect(await progress('1.7', '361128')).toEqual({
        value: '83',
        percent: 87.37,
        expectedPercent: 100,
        shareOfCity: null,
        status: 'BEHIND',
      });
      // 广丰区 0.9 / 1 = 90 %; 90 / 95 = 94.736842… ≥ 90 → LAGGING
      expect(await progress('1.7', '361103')).toMatchObject({ value: '90', percent: 94.74, status: 'LAGGING' });
      // 全市 (0.83 + 0.9) / (1 + 1) = 86.5 %; 86.5 / 95 = 91.052631… → LAGGING
      expect(await progress('1.7')).toMatchObject({ value: '86.5', percent: 91.05, expectedPercent: 100, status: 'LAGGING' });
    });
  });

  describe('missing data is no progress (4.5)', () => {
    const rollups = /* GraphQL */ `
      {
        plan {
          progress {
            percent
            status
            partsWithData
            parts
          }
          projects {
            number
            progress {
              percent
              status
              partsWithData
              parts
            }
          }
        }
        p7: indicator(code: "7.1") {
          progress {
            value
            status
          }
        }
      }
    `;

    it('counts an unreported indicator as 0 and says how many parts have data', async () => {
      const { data } = await t.gql(bi, rollups);
      const projects = new Map<number, any>(data!.plan.projects.map((p: any) => [p.number, p.progress]));
      // project 5: 5.1 = 4 / 6 = 66.666…; 5.2–5.5 unreported count 0: 66.666… / 5 = 13.333… → 13.33 BEHIND, 1 of 5
      expect(projects.get(5)).toEqual({ percent: 13.33, status: 'BEHIND', partsWithData: 1, parts: 5 });
      // project 1 (1.1, 1.2, 1.6, 1.7 scored): 1.1 and 1.6 have no data (1.3 unreported) and count 0;
      //   (0 + 33.852820… + 0 + 91.052631…) / 4 = 124.905452… / 4 = 31.226363… → 31.23, 2 of 4
      expect(projects.get(1)).toEqual({ percent: 31.23, status: 'BEHIND', partsWithData: 2, parts: 4 });
      // project 10: 10.1 = 13 / 86 = 15.116…; 10.2 is TRACKED and left out
      expect(projects.get(10)).toEqual({ percent: 15.12, status: 'BEHIND', partsWithData: 1, parts: 1 });
      // project 7 (HPV): TRACKED only, so not scored, but its 18230 girls are shown
      expect(projects.get(7)).toEqual({ percent: null, status: 'NOT_SCORED', partsWithData: 0, parts: 0 });
      expect(data!.p7.progress).toEqual({ value: '18230', status: 'NOT_SCORED' });
      // project 2 (eight standards, 2.1 only in 广信区 → 全市 885, 100 %; seven unreported): 100 / 8 = 12.5
      expect(projects.get(2)).toEqual({ percent: 12.5, status: 'BEHIND', partsWithData: 1, parts: 8 });
      expect(projects.get(3)).toEqual({ percent: null, status: 'NO_DATA', partsWithData: 0, parts: 3 });
      // plan: nine scored projects, those without data counting 0:
      //   (31.226363… + 12.5 + 0 + 0 + 13.333… + 0 + 0 + 0 + 15.116279…) / 9 = 72.175975… / 9 = 8.019552… → 8.02
      expect(data!.plan.progress).toEqual({ percent: 8.02, status: 'BEHIND', partsWithData: 4, parts: 9 });
    });
  });

  describe('as of a date', () => {
    it('refuses a date after the hub’s today, naming the argument', async () => {
      const future = await t.gql(bi, '{ plan { progress(asOf: "2023-07-02") { percent } } }');
      expect(future.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
      const rows = await t.gql(bi, '{ consolidatedIndicators(asOf: "2024-01-01") { indicatorCode } }');
      expect(rows.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
      const series = await t.gql(bi, '{ indicator(code: "1.2") { series(to: "2023-12-31") { date } } }');
      expect(series.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
      const ledger = await fetch(`${t.url}/export/ledger.csv?asOf=2023-07-02`, { headers: { authorization: `Bearer ${bi}` } });
      expect(ledger.status).toBe(400);
      expect(await ledger.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } }] });
      // today itself is fine
      expect((await t.gql(bi, '{ plan { progress(asOf: "2023-07-01") { percent } } }')).errors).toBeUndefined();
    });
  });

  describe('one truth everywhere', () => {
    it('the bi.* functions give the same figures for every case above', async () => {
      expect(await expectSqlAgreesWithGraphQL(t, bi, '2023-07-01')).toBeGreaterThan(20);
      const [row] = await queryRows<{ percent: string | null; share_of_city: string; status: string; target: string | null }>(
        t.hub.db,
        sql`select percent::text, share_of_city::text, status, target::text from bi.indicator_progress_at('shangrao-2023', '2023-07-01')
            where indicator_code = '10.1' and region_code = '361128'`,
      );
      expect(row).toEqual({ percent: null, share_of_city: '23.08', status: 'NOT_SCORED', target: null });
    });

    it('the ledger by region shows the same figures, with the shared status labels', async () => {
      const csv = await (
        await fetch(`${t.url}/export/ledger.csv?asOf=2023-07-01&regions=all`, { headers: { authorization: `Bearer ${bi}` } })
      ).text();
      const [header, ...lines] = csv
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      const columns = header.split(',');
      const row = (indicator: string, region: string) => {
        const fields = lines.map((l) => l.split(',')).find((f) => f[1] === indicator && f[3] === region)!;
        return Object.fromEntries(columns.map((c, i) => [c, fields[i]]));
      };
      expect(row('10.1', '361102')).toMatchObject({
        地区: '信州区',
        目标: '10',
        完成: '4',
        '完成率(%)': '40',
        '占全市(%)': '30.77',
        状态: '滞后',
      });
      expect(row('10.1', '361128')).toMatchObject({ 目标: '', 完成: '3', '完成率(%)': '', '占全市(%)': '23.08', 状态: '不评价' });
      expect(row('10.1', 'ALL')).toMatchObject({ 地区: '全市', 目标: '86', 完成: '13', '完成率(%)': '15.12', 状态: '严重滞后' });
      expect(row('1.7', '361128')).toMatchObject({ 完成: '83', '完成率(%)': '87.37', '序时进度(%)': '100', 状态: '严重滞后' });
      expect(row('1.2', '361100')).toMatchObject({ 地区: '市本级', 完成: '5', '占全市(%)': '75.74', 状态: '不评价' });
    });
  });
});

describe('the plan file checks decompositions and levels', () => {
  const problemsOf = (overlay: Record<string, Record<string, string>>) => {
    try {
      planWithRegionTargets(overlay);
      return [];
    } catch (error) {
      if (!(error instanceof PlanFileError)) throw error;
      return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
  };

  it('refuses a region target for an unknown region, a negative or zero one, and one for a standard', () => {
    expect(problemsOf({ '10.1': { '999999': '5' } })).toEqual([
      'projects[9].indicators[0].regionTargets.999999: region "999999" is not listed under regions',
    ]);
    expect(problemsOf({ '10.1': { '361102': '-3', '361103': '0' } })).toEqual([
      'projects[9].indicators[0].regionTargets.361102: must be greater than zero (leave a unit out to give it no target)',
      'projects[9].indicators[0].regionTargets.361103: must be greater than zero (leave a unit out to give it no target)',
    ]);
    expect(problemsOf({ '2.1': { '361102': '885' } })[0]).toMatch(
      /projects\[1\]\.indicators\[0\]\.regionTargets: a LEVEL standard holds in every unit/,
    );
    // 10.1 is reported by counties and zones: 市本级 cannot be given a share of it
    expect(problemsOf({ '10.1': { '361100': '5' } })[0]).toContain('not by 市本级');
  });

  it('warns, without refusing, when region targets do not add up to the city target', () => {
    // 10 + 6 = 16 of 86
    const plan = planWithRegionTargets({ '10.1': { '361102': '10', '361103': '6' } });
    expect(plan.warnings.map((w) => w.message)).toEqual(['region targets add up to 16, not the target 86']);
    expect(plan.projects[9].indicators[0].regionTargets).toEqual({ '361102': '10', '361103': '6' });
  });

  it('refuses a level on a derived ratio and an unknown level', () => {
    const text = (extra: string) =>
      `code: x\ntitle: t\ndocumentNumber: d\nissuedOn: 2023-01-01\nperiodStart: 2023-01-01\nperiodEnd: 2023-12-31\ncityRegion: "1"\n` +
      `agencies: [{ code: A, name: a, nameEn: a }]\nregions: [{ code: "1", name: 市本级, level: CITY }]\n` +
      `projects:\n  - number: 1\n    title: p\n    lead: [A]\n    indicators:\n` +
      `      - { code: "1.1", name: n, kind: TRACKED, unit: 亿元 }\n      - { code: "1.2", name: d, kind: TRACKED, unit: 亿元 }\n` +
      `      - { code: "1.3", name: r, kind: THRESHOLD, unit: "%", target: "50", numerator: "1.1", denominator: "1.2"${extra} }\n`;
    expect(() => parsePlanFile(text(''))).not.toThrow();
    expect(() => parsePlanFile(text(', reportedBy: CITY'))).toThrow(
      /reportedBy: a derived ratio is reported where its numerator and denominator are/,
    );
    expect(() => parsePlanFile(text('').replace('kind: TRACKED, unit: 亿元 }', 'kind: TRACKED, unit: 亿元, reportedBy: COUNTY }'))).toThrow(
      /reportedBy/,
    );
  });
});
