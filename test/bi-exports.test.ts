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

  it('the XLSX ledger has the right numbers, laid out for print, and the CSV the same figures', async () => {
    const response = await fetch(`${t.url}/export/ledger.xlsx?plan=shangrao-2023&asOf=2023-07-01&regions=all`, {
      headers: { authorization: `Bearer ${bi}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('台账')!;
    expect(sheet.getCell('A1').text).toBe('2023年民生实事安排方案台账');
    expect(sheet.getCell('A2').text).toBe('饶府发〔2023〕5号\u3000数据截至 2023-07-01\u3000序时进度 49.86%');
    const width = 13;
    const cells = (row: ExcelJS.Row) => Array.from({ length: width }, (_, i) => row.getCell(i + 1).value ?? null);
    expect(cells(sheet.getRow(3))).toEqual([
      '序号',
      '民生实事项目',
      '牵头单位',
      '责任单位',
      '指标',
      '单位',
      '目标',
      '基线',
      '完成',
      '完成率(%)',
      '序时进度(%)',
      '状态',
      '最近进展报送',
    ]);
    const rows = new Map<string, ExcelJS.Row>();
    sheet.eachRow((row, n) => {
      if (n > 3) rows.set(row.getCell(5).text.split(' ')[0], row);
    });
    expect(rows.size).toBe(39);
    // 1.2: 7.25 亿元 of 19.5 → 37.18 %; expected 49.86 %, more than 10 points behind; project 1 has no report yet
    const loans = rows.get('1.2')!;
    expect(cells(loans)).toEqual([
      1,
      '加大创业担保贷款扶持力度',
      '市人社局',
      '—',
      '1.2 新增发放创业担保贷款',
      '亿元',
      19.5,
      null,
      7.25,
      37.18,
      49.86,
      '严重滞后',
      '未报送',
    ]);
    // money in 亿元 with two decimals, the status coloured as on the dashboard (严重滞后 red on rose)
    expect(loans.getCell(9).numFmt).toBe('#,##0.00');
    expect(loans.getCell(12).fill).toMatchObject({ fgColor: { argb: 'FFF8DCD8' } });
    // 2.1: min(885, 885) = 885, baseline 825 → 100 %; a standard in 元 is a whole number
    const standard = rows.get('2.1')!;
    expect(cells(standard).slice(6, 12)).toEqual([885, 825, 885, 100, 49.86, '已完成']);
    expect(standard.getCell(9).numFmt).toBe('#,##0');
    // project cells are merged over its indicators: 1.1 to 1.8 are rows 4 to 11
    expect(sheet.getCell('B11').isMerged && sheet.getCell('B11').master.address).toBe('B4');
    // TRACKED: never judged; 5.1 is scored and has no data
    expect(cells(rows.get('7.1')!).slice(8, 12)).toEqual([null, null, 49.86, '不评价']);
    expect(cells(rows.get('5.1')!).slice(8, 12)).toEqual([null, null, 49.86, '无数据']);
    // print: A4 landscape, one page wide, the header on every page, the as-of date and pages in the footer
    expect(sheet.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
    expect(sheet.pageSetup.printTitlesRow).toBe('3:3');
    expect(sheet.headerFooter.oddFooter).toContain('数据截至 2023-07-01');
    expect(sheet.headerFooter.oddFooter).toContain('&P');
    // 分地区 only where asked: 全市 and the 16 units for each of 39 indicators, under three title rows
    expect(workbook.getWorksheet('分地区')!.rowCount).toBe(3 + 39 * 17);

    const csv = await (
      await fetch(`${t.url}/export/ledger.csv?plan=shangrao-2023&asOf=2023-07-01`, { headers: { authorization: `Bearer ${bi}` } })
    ).text();
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe('项目,指标编号,指标,牵头单位,计量单位,目标,基线,完成,完成率(%),序时进度(%),状态,最近数据日期,最近进展报送');
    // the machine-readable ledger: the same figures as exact decimal text
    expect(lines.find((l) => l.split(',')[1] === '1.2')).toBe(
      '1.加大创业担保贷款扶持力度,1.2,新增发放创业担保贷款,市人社局,亿元,19.5,,7.25,37.18,49.86,严重滞后,2023-06-30,',
    );
    const plain = await fetch(`${t.url}/export/ledger.xlsx?plan=shangrao-2023&asOf=2023-07-01`, {
      headers: { authorization: `Bearer ${bi}` },
    });
    const single = new ExcelJS.Workbook();
    await single.xlsx.load(Buffer.from(await plain.arrayBuffer()) as unknown as ExcelJS.Buffer);
    expect(single.worksheets.map((w) => w.name)).toEqual(['台账']);
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
