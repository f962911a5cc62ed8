import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.js';
import { expectSqlAgreesWithGraphQL } from './support/bi-compare.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { submitSampleData } from './support/sample-data.js';

describe('what BI tools and the office read besides GraphQL', () => {
  let t: TestHub;
  let bi: string;
  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    await submitSampleData(t);
    bi = await t.token('BI');
  });
  afterAll(() => t.close());

  it('the SQL functions give the GraphQL numbers for every indicator, unit, project and the plan', async () => {
    for (const asOf of ['2023-03-31', '2023-05-31', '2023-06-28', '2023-07-01']) {
      // not a comparison of empty tables
      expect(await expectSqlAgreesWithGraphQL(t, bi, asOf)).toBeGreaterThan(10);
    }
  });

  it('the project view gives the GraphQL project percents', async () => {
    const rows = await queryRows<{ project_number: number; percent: string | null; status: string }>(
      t.hub.db,
      sql`select project_number, percent::text, status from bi.project_progress_at('shangrao-2023', '2023-07-01')`,
    );
    // project 1 by hand (test/progress.test.ts): (100 + 37.179487… + 100 + 100) / 4 = 84.29
    expect(rows[0]).toMatchObject({ project_number: 1, percent: '84.29', status: 'ON_TRACK' });
    const daily = await queryRows<{ n: number }>(
      t.hub.db,
      sql`select count(*)::int as n from bi.observations_daily where indicator_code = '1.2'`,
    );
    expect(daily[0].n).toBe(4); // four loan days, each in one region
    const today = await queryRows<{ n: number }>(t.hub.db, sql`select count(*)::int as n from bi.indicator_progress`);
    // 全市 and the 16 units
    expect(today[0].n).toBe(39 * 17);
    const plan = await queryRows<{ percent: string; status: string }>(t.hub.db, sql`select percent::text, status from bi.plan_progress`);
    // by hand (test/progress.test.ts): 206.794871… / 9 = 22.98
    expect(plan).toEqual([{ percent: '22.98', status: 'BEHIND' }]);
  });

  it('the XLSX ledger has the right numbers, and the CSV matches it', async () => {
    const response = await fetch(`${t.url}/export/ledger.xlsx?plan=shangrao-2023&asOf=2023-07-01`, {
      headers: { authorization: `Bearer ${bi}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('台账')!;
    expect(sheet.getCell('A1').text).toBe('2023年民生实事安排方案台账（饶府发〔2023〕5号，截至2023-07-01）');
    const cells = (row: ExcelJS.Row) => Array.from({ length: 13 }, (_, i) => row.getCell(i + 1).value ?? null);
    const header = cells(sheet.getRow(2));
    expect(header).toEqual([
      '项目',
      '指标编号',
      '指标',
      '牵头单位',
      '计量单位',
      '目标',
      '基线',
      '完成',
      '完成率(%)',
      '序时进度(%)',
      '状态',
      '最近数据日期',
      '最近进展报送',
    ]);
    const rows = new Map<string, unknown[]>();
    sheet.eachRow((row, n) => {
      if (n > 2) rows.set(row.getCell(2).text, cells(row));
    });
    expect(rows.size).toBe(39);
    // 1.2: 7.25 亿元 of 19.5 → 37.18 %; expected 49.86 %, more than 10 points behind
    expect(rows.get('1.2')).toEqual([
      '1.加大创业担保贷款扶持力度',
      '1.2',
      '新增发放创业担保贷款',
      '市人社局',
      '亿元',
      19.5,
      null,
      7.25,
      37.18,
      49.86,
      '严重滞后',
      '2023-06-30',
      null,
    ]);
    // 2.1: min(885, 885) = 885, baseline 825 → 100 %
    expect(rows.get('2.1')!.slice(3, 11)).toEqual(['市民政局、市人社局', '元/人/月', 885, 825, 885, 100, 49.86, '已完成']);
    // TRACKED: never judged; 5.1 is scored and has no data
    expect(rows.get('7.1')!.slice(7, 11)).toEqual([null, null, 49.86, '不评价']);
    expect(rows.get('5.1')!.slice(7, 11)).toEqual([null, null, 49.86, '无数据']);
    expect(workbook.getWorksheet('分地区')!.rowCount).toBe(2 + 39 * 17);

    const csv = await (
      await fetch(`${t.url}/export/ledger.csv?plan=shangrao-2023&asOf=2023-07-01`, { headers: { authorization: `Bearer ${bi}` } })
    ).text();
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe((header as string[]).join(','));
    for (const line of lines.slice(1)) {
      const fields = line.split(',');
      const xlsx = rows.get(fields[1])!;
      expect(fields.map((c) => (c === '' ? null : c))).toEqual(xlsx.map((v) => (v === null ? null : String(v as string | number))));
    }
  });

  it('the exports need an OFFICE or BI token and a valid date', async () => {
    expect((await fetch(`${t.url}/export/ledger.csv`)).status).toBe(401);
    const agency = await t.token('AGENCY', 'HRSS');
    expect((await fetch(`${t.url}/export/ledger.csv`, { headers: { authorization: `Bearer ${agency}` } })).status).toBe(403);
    const bad = await fetch(`${t.url}/export/ledger.csv?asOf=July`, { headers: { authorization: `Bearer ${bi}` } });
    expect(bad.status).toBe(400);
    expect((await fetch(`${t.url}/export/ledger.csv?asOf=2023-02-30`, { headers: { authorization: `Bearer ${bi}` } })).status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } }] });
  });

  it('serves Prometheus metrics and the queue admin to the right tokens', async () => {
    const office = await t.token('OFFICE');
    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${office}` } })).text();
    expect(metrics).toMatch(/hub_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(metrics).toContain('hub_http_request_duration_seconds_bucket');
    expect(metrics).toContain('hub_feed_runs');
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/admin/queues`, { headers: { authorization: `Bearer ${bi}` } })).status).toBe(403);
    const admin = await fetch(`${t.url}/admin/queues`, { headers: { cookie: `hub_token=${office}` } });
    expect(admin.status).toBe(200);
    const page = await admin.text();
    expect(page).toContain('<div id="root">');
    expect(page).not.toMatch(/https?:\/\//); // nothing loaded from outside the hub
    expect((await fetch(`${t.url}/admin/queues/api/queues`, { headers: { cookie: `hub_token=${office}` } })).status).toBe(200);
  });
});
