import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/audit/audit.service.js';
import { issueToken, revokeToken } from '../src/auth/auth.service.js';
import { statusLabels } from '../src/progress/status.js';
import { startTestHub, type TestHub } from './support/hub.js';
import {
  aedRegionTargets,
  aedsByCounty,
  civilStandards,
  homeAdaptations,
  hpvVaccinations,
  laterLoan,
  loans as sampleLoans,
  obs,
} from './support/sample-data.js';
import { artifacts, launchChromium, logInWithPassword, logInWithToken, rgb, transparent, wait } from './support/browser.js';

// The dashboard (src/http/dashboard) in a real Chromium against a real hub. A missing Chromium fails
// the file in beforeAll: there is no silent skip.

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!) {
    submitObservations(planCode: "shangrao-2023", input: $input) {
      accepted
    }
  }
`;
const report = /* GraphQL */ `
  mutation ($input: ProgressReportInput!) {
    submitProgressReport(input: $input) {
      onTime
    }
  }
`;

// The 2023 plan with one decomposed target (an overlay for this test, DESIGN.md 4.3): 10.1's 86 AEDs
// over the 15 counties and zones (test/support/sample-data.ts). 5.5, 1.2 and the rest stay whole-city
// targets, so a county is shown its value and 占全市 share but is not scored.

// The loans of test/support/sample-data.ts (hand-worked in test/progress.test.ts), hub clock at 2023-07-01
// (day 182 of 365: expected 182/365 = 49.8630… → 49.86): 1.2 = 7.25 亿元, 1.3 = 5, 1.4 = 0.8, 1.5 = 0.78,
// 1.1 = 800 万元 (市本级).
const loans = [...sampleLoans, ...laterLoan];
// Project 1 as of 2023-07-01 (TRACKED 1.3, 1.4, 1.5, 1.8 left out; weights equal; 4/4 with data):
//   1.1 = 800 / 800 = 100 %
//   1.2 = (0.5 + 1.25 + 2.5 + 3) / 19.5 = 7.25 / 19.5 = 37.179487… %
//   1.6 = 1.3 / 1.2 = (0.5 + 2.5 + 2) / 7.25 = 68.965517…% of the 50 % bound = 137.93… % → capped 100
//   1.7 = 1.5 / 1.4 = 0.78 / 0.8 = 97.5 % of the 95 % bound = 102.63… % → capped 100
//   (100 + 37.179487… + 100 + 100) / 4 = 84.294871… → 84.29 (≥ 49.86: ON_TRACK)
// Project 2: 2.1 urban 低保 (825 → 885): 信州区 885, 广丰区 885 by June; 全市 = the minimum of the units
//   that reported = 885 → 100 %; 2.2–2.8 have no data and count 0: 100 / 8 = 12.50 (BEHIND); 1/8
// Project 5: 5.5 home adaptations (300 + 200) / 2000 = 25 %; 5.1–5.4 have no data and count 0:
//   25 / 5 = 5.00 (BEHIND); 1/5 with data
// Project 7: HPV (7.1, 7.2 TRACKED only): NOT_SCORED, 7.1 shows 1200 + 2300 = 3500
// Project 10: 10.1 AEDs 43 / 86 = 50 % (10.2 people trained is TRACKED) → 50.00 (≥ 49.86: ON_TRACK); 1/1
// Projects 3, 4, 6, 8, 9: NO_DATA, 0 in the plan's mean.
// Plan: mean of the nine scored projects (7 left out):
//   (84.294871… + 12.5 + 5 + 50 + 0 × 5) / 9 = 151.794871… / 9 = 16.866096… → 16.87; 4/9 with data (BEHIND)
const aeds = [
  ...aedsByCounty,
  obs('10.2', '2023-05-01', '120', 'T1', { regionCode: '361100' }),
  obs('10.2', '2023-06-10', '80', 'T2', { regionCode: '361102' }),
];
const expectedPercents: Record<number, string> = {
  1: '84.29%',
  2: '12.50%',
  3: '—',
  4: '—',
  5: '5.00%',
  6: '—',
  7: '—',
  8: '—',
  9: '—',
  10: '50.00%',
};
const expectedStatuses: Record<number, string> = {
  1: 'ON_TRACK',
  2: 'BEHIND',
  3: 'NO_DATA',
  4: 'NO_DATA',
  5: 'BEHIND',
  6: 'NO_DATA',
  7: 'NOT_SCORED',
  8: 'NO_DATA',
  9: 'NO_DATA',
  10: 'ON_TRACK',
};
const expectedParts: Record<number, string> = {
  1: '4/4',
  2: '1/8',
  3: '0/3', // 3.3 is TRACKED
  4: '0/4',
  5: '1/5',
  6: '0/1',
  7: '仅跟踪指标',
  8: '0/1',
  9: '0/1',
  10: '1/1',
};

describe('the dashboard in a browser', () => {
  let t: TestHub;
  let browser: Browser;
  let office: string;
  // a person of the office, who logs in with a name and password (issue 12)
  const officePassword = 'correct horse battery';
  let hrss: string;

  beforeAll(async () => {
    // Chromium first: a machine without it fails here, not later
    browser = await launchChromium();
    t = await startTestHub({ now: '2023-06-20T10:00:00+08:00', regionTargets: { '10.1': aedRegionTargets } });
    let redcross: string;
    let civil: string;
    let health: string;
    [office, hrss, redcross, civil, health] = await Promise.all([
      t.token('OFFICE'),
      t.token('AGENCY', 'HRSS'),
      t.token('AGENCY', 'REDCROSS'),
      t.token('AGENCY', 'CIVIL'),
      t.token('AGENCY', 'HEALTH'),
      t.hub.users.add({ name: 'zhang.wei', role: 'OFFICE', password: officePassword }, systemActor).then(() => ''),
    ]);
    const rounds = (await t.gql(office, '{ reportingRounds { id dueOn } }')).data!.reportingRounds as { id: string; dueOn: string }[];
    const round = (dueOn: string) => rounds.find((r) => r.dueOn === dueOn)!.id;
    // round one (due 2023-06-28): REDCROSS reports on 20 June, in time
    const onTime = await t.gql(redcross, report, { input: { roundId: round('2023-06-28'), projectNumber: 10, text: 'AED已配备43台。' } });
    expect(onTime.data?.submitProgressReport).toEqual({ onTime: true });

    t.clock.set('2023-07-01T10:00:00+08:00');
    // HRSS reports on 1 July, after the deadline; REDCROSS already reports for round two
    const late = await t.gql(hrss, report, {
      input: { roundId: round('2023-06-28'), projectNumber: 1, text: '新增发放创业担保贷款7.25亿元。' },
    });
    expect(late.data?.submitProgressReport).toEqual({ onTime: false });
    const early = await t.gql(redcross, report, {
      input: { roundId: round('2023-10-28'), projectNumber: 10, text: '第二轮：AED投放推进中。' },
    });
    expect(early.data?.submitProgressReport).toEqual({ onTime: true });

    const results = await Promise.all([
      t.gql(hrss, submit, { input: loans }),
      t.gql(redcross, submit, { input: aeds }),
      t.gql(civil, submit, { input: [...homeAdaptations, ...civilStandards] }),
      t.gql(health, submit, { input: hpvVaccinations }),
    ]);
    for (const r of results) expect(r.errors).toBeUndefined();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** One cell of the region table: its status, value, second line, classes and computed colours. */
  function regionCell(page: Page, region: string, indicator: string) {
    return page.$eval(`#region-table tr[data-region="${region}"] td[data-indicator="${indicator}"]`, (el) => ({
      status: el.getAttribute('data-status'),
      value: (el.querySelector('.cell-value') ?? el).textContent,
      sub: el.querySelector('.cell-sub')?.textContent ?? null,
      statusClasses: Array.from(el.classList).filter((c) => /^cell-(ACHIEVED|ON_TRACK|LAGGING|BEHIND)$/.test(c)),
      background: getComputedStyle(el).backgroundColor,
    }));
  }
  /** A region cell that is not judged: its value (and 占全市 share), no status class, no fill. */
  const unscored = (value: string, sub: string | null) => ({
    status: 'NOT_SCORED',
    value,
    sub,
    statusClasses: [],
    background: transparent,
  });
  /** A scored region cell: its status class and the fill of the shared status table. */
  const scored = (status: keyof typeof statusLabels, value: string, sub: string | null) => ({
    status,
    value,
    sub,
    statusClasses: [`cell-${status}`],
    background: rgb(statusLabels[status].fill),
  });

  async function openProject(page: Page, number: number, lastIndicator: string) {
    await page.click(`[data-project="${number}"]`);
    await page.waitForSelector(
      `#project-detail[data-project="${number}"][data-as-of="2023-07-01"] #region-table td[data-indicator="${lastIndicator}"]`,
      wait,
    );
  }

  it('shows the plan, the ten projects with hand-computed percents and n/m reporting, projects in detail with region tables, and the reporting rounds', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await logInWithToken(page, t.url, office);
      await page.waitForSelector('#dashboard', { state: 'visible', ...wait });
      // the page opens on the hub's today (its clock stands at 2023-07-01), not the browser's, and the
      // picker stops there
      await page.waitForSelector('#dashboard[data-as-of="2023-07-01"] [data-project="10"]', wait);
      expect(await page.inputValue('#asOf')).toBe('2023-07-01');
      expect(await page.getAttribute('#asOf', 'max')).toBe('2023-07-01');

      expect(await page.textContent('#plan-title')).toBe('2023年民生实事安排方案');
      expect(await page.textContent('#plan-doc')).toBe('饶府发〔2023〕5号');
      expect(await page.textContent('#overall-percent')).toBe('16.87%');
      expect(await page.textContent('#overall-expected')).toBe('49.86%');
      expect(await page.textContent('#overall-parts')).toBe('4/9 个项目有数据');
      expect(await page.textContent('#overall-body .badge')).toBe(statusLabels.BEHIND.zh);

      const rows = await page.$$eval('[data-project]', (els) =>
        els.map((el) => ({
          number: Number(el.getAttribute('data-project')),
          percent: el.querySelector('.percent')?.textContent,
          status: el.getAttribute('data-status'),
          badge: el.querySelector('.badge')?.textContent,
          parts: el.querySelector('.parts')?.textContent,
          bars: el.querySelectorAll('.bar-fill').length,
        })),
      );
      expect(rows).toHaveLength(10);
      const byNumber = (f: (r: (typeof rows)[number]) => unknown) => Object.fromEntries(rows.map((r) => [r.number, f(r)]));
      expect(byNumber((r) => r.percent)).toEqual(expectedPercents);
      expect(byNumber((r) => r.status)).toEqual(expectedStatuses);
      // the labels come from the one table the ledger uses (正常推进, not 正常)
      expect(byNumber((r) => r.badge)).toEqual(
        Object.fromEntries(Object.entries(expectedStatuses).map(([n, s]) => [n, statusLabels[s as keyof typeof statusLabels].zh])),
      );
      // n/m beside every project: project 5's 5 % rests on 1 of its 5 indicators
      expect(byNumber((r) => r.parts)).toEqual(
        Object.fromEntries(Object.entries(expectedParts).map(([n, p]) => [n, p.includes('/') ? `${p} 项指标有数据` : p])),
      );
      expect(rows.find((r) => r.number === 5)!.parts).toBe('1/5 项指标有数据');
      // bar width = min(percent, 100) %; no bar pretends 0 % for a project with no data or not scored
      const width = await page.$eval('[data-project="1"] .bar-fill', (el) => (el as HTMLElement).style.width);
      expect(width).toBe('84.29%');
      expect(byNumber((r) => r.bars)).toEqual({ 1: 1, 2: 1, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0, 8: 0, 9: 0, 10: 1 });
      expect(await page.textContent('[data-project="7"] .project-bar')).toContain('不评价');
      expect(await page.textContent('[data-project="3"] .project-bar')).toContain('尚无数据');

      // the OFFICE login also leaves the queue admin UI its cookie (path /admin only)
      const cookies = await context.cookies(`${t.url}/admin/queues`);
      expect(cookies.find((c) => c.name === 'hub_token')).toMatchObject({ value: office, path: '/admin', sameSite: 'Strict' });
      expect((await context.cookies(`${t.url}/dashboard/`)).find((c) => c.name === 'hub_token')).toBeUndefined();

      // project 1 in detail
      await openProject(page, 1, '1.8');
      const indicators = await page.$$eval('#project-detail tr[data-indicator]', (els) =>
        els.map((el) => el.getAttribute('data-indicator')),
      );
      expect(indicators).toEqual(['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8']);
      const cell = (code: string, cls: string) => page.textContent(`#project-detail tr[data-indicator="${code}"] .${cls}`);
      // 1.2: 7.25 亿元 of 19.5 = 37.18 %; 1.6: 5 / 7.25 = 68.965517 % (six decimals) = 137.93 % of the bound
      expect(await cell('1.2', 'value')).toBe('7.25');
      expect(await cell('1.2', 'target')).toBe('19.5');
      expect(await cell('1.2', 'ind-percent')).toBe('37.18%');
      expect(await cell('1.6', 'value')).toBe('68.965517');
      expect(await cell('1.6', 'ind-percent')).toBe('137.93%');
      expect(await cell('1.8', 'value')).toBe('—');
      // a TRACKED indicator shows its value with the neutral label, no percent
      expect(await page.getAttribute('#project-detail tr[data-indicator="1.3"]', 'data-status')).toBe('NOT_SCORED');
      expect(await cell('1.3', 'value')).toBe('5');
      expect(await cell('1.3', 'ind-percent')).toBe('—');
      expect(await cell('1.3', 'badge')).toBe(statusLabels.NOT_SCORED.zh);
      expect(await page.textContent('#detail-parts')).toBe('4/4 项计分指标有数据');
      // 1.2 has four days with data: a sparkline
      expect(await page.$$('#project-detail tr[data-indicator="1.2"] svg.spark path')).toHaveLength(1);

      // by region: 全市 first, then 市本级 and the 15 counties and zones
      const regionRows = await page.$$eval('#region-table tbody tr', (els) => els.map((el) => el.getAttribute('data-region')));
      expect(regionRows).toHaveLength(17);
      expect(regionRows.slice(0, 3)).toEqual(['ALL', '361100', '361102']);
      expect(await page.textContent('#region-table tr[data-region="361100"] th')).toContain('市本级');
      // 1.2 is not decomposed: 全市 7.25 of 19.5 = 37.18 %, 12.68 points behind 49.86: BEHIND; a county
      // shows its value and share (信州区 L1 + L3 = 3 of 7.25 = 41.38 %, 广丰区 1.25 = 17.24 %), no colour
      expect(await regionCell(page, 'ALL', '1.2')).toEqual(scored('BEHIND', '7.25', '37.18%'));
      expect(await regionCell(page, '361102', '1.2')).toEqual(unscored('3', '占全市 41.38%'));
      expect(await regionCell(page, '361103', '1.2')).toEqual(unscored('1.25', '占全市 17.24%'));
      // the guarantee fund is 市本级's: 800 of 800, a unit like the others, not scored against the city's target
      expect(await regionCell(page, '361100', '1.1')).toEqual(unscored('800', '占全市 100.00%'));
      // a bound holds in every unit: 信州区 personal loans 3 of 3 = 100 %, 200 % of the 50 % bound
      expect(await regionCell(page, '361102', '1.6')).toMatchObject({
        status: 'ACHIEVED',
        sub: '200.00%',
        statusClasses: ['cell-ACHIEVED'],
        background: rgb(statusLabels.ACHIEVED.fill),
      });

      // project 5: 5 % resting on 1 of 5 indicators; its counties are not scored (no decomposition)
      await openProject(page, 5, '5.5');
      expect(await page.textContent('#detail-parts')).toBe('1/5 项计分指标有数据');
      expect(await regionCell(page, 'ALL', '5.5')).toEqual(scored('BEHIND', '500', '25.00%'));
      expect(await regionCell(page, '361102', '5.5')).toEqual(unscored('300', '占全市 60.00%'));
      expect(await regionCell(page, '361103', '5.5')).toEqual(unscored('200', '占全市 40.00%'));
      expect(await regionCell(page, '361102', '5.4')).toEqual(unscored('—', null));

      // project 2: a LEVEL standard scores every county as it is; 市本级 does not report it
      await openProject(page, 2, '2.8');
      expect(await regionCell(page, 'ALL', '2.1')).toEqual(scored('ACHIEVED', '885', '100.00%'));
      expect(await regionCell(page, '361102', '2.1')).toEqual(scored('ACHIEVED', '885', '100.00%'));
      expect(await regionCell(page, '361103', '2.1')).toEqual(scored('ACHIEVED', '885', '100.00%'));
      expect(await regionCell(page, '361104', '2.1')).toMatchObject({ status: 'NO_DATA', value: '—', statusClasses: [] });
      expect(await regionCell(page, '361100', '2.1')).toMatchObject({ status: 'NA', statusClasses: [], background: transparent });

      // project 7: only TRACKED indicators: not scored, its values shown
      await openProject(page, 7, '7.2');
      expect(await page.textContent('#project-detail .detail-progress .badge')).toBe(statusLabels.NOT_SCORED.zh);
      expect(await page.$$('#detail-parts')).toHaveLength(0);
      expect(await cell('7.1', 'value')).toBe('3500');
      expect(await cell('7.1', 'ind-percent')).toBe('—');
      expect(await page.getAttribute('#project-detail tr[data-indicator="7.1"]', 'data-status')).toBe('NOT_SCORED');
      expect(await regionCell(page, 'ALL', '7.1')).toEqual(unscored('3500', null));
      expect(await regionCell(page, '361128', '7.1')).toEqual(unscored('2300', '占全市 65.71%'));

      // project 10: 10.1 decomposed over the counties (plan overlay): each county scored against its own target
      await openProject(page, 10, '10.2');
      expect(await page.textContent('#region-table th[data-indicator="10.1"]')).toContain('分解');
      expect(await regionCell(page, 'ALL', '10.1')).toEqual(scored('ON_TRACK', '43', '50.00%'));
      expect(await regionCell(page, '361102', '10.1')).toEqual(scored('ACHIEVED', '8', '100.00%'));
      expect(await regionCell(page, '361104', '10.1')).toEqual(scored('ON_TRACK', '5', '71.43%'));
      expect(await regionCell(page, '361123', '10.1')).toEqual(scored('LAGGING', '3', '42.86%'));
      expect(await regionCell(page, '361128', '10.1')).toEqual(scored('BEHIND', '2', '22.22%'));
      expect(await regionCell(page, '361126', '10.1')).toMatchObject({ status: 'NO_DATA', value: '—', statusClasses: [] });
      expect(await regionCell(page, '361100', '10.1')).toMatchObject({ status: 'NA', statusClasses: [], background: transparent });
      // 10.2 (TRACKED): 市本级 trained 120 of 200, 信州区 80; nobody scored
      expect(await regionCell(page, 'ALL', '10.2')).toEqual(unscored('200', null));
      expect(await regionCell(page, '361100', '10.2')).toEqual(unscored('120', '占全市 60.00%'));
      expect(await regionCell(page, '361102', '10.2')).toEqual(unscored('80', '占全市 40.00%'));

      // no badge anywhere says 正常 (the old label): one table, one wording
      const badges = await page.$$eval('.badge', (els) => els.map((el) => el.textContent));
      expect(badges).not.toContain('正常');
      expect(badges).toContain(statusLabels.ON_TRACK.zh);

      // the next round is the second (28 October): REDCROSS has reported, the other 11 pairs not yet
      expect(await page.$$eval('#next-round #reported li', (els) => els.map((el) => el.getAttribute('data-pair')))).toEqual([
        'REDCROSS-10',
      ]);
      expect(await page.$$('#next-round #not-reported li')).toHaveLength(11);
      // round one is past: 12 pairs, REDCROSS on time; HRSS late; the other ten never reported
      const late = await page.$$eval('#late tr[data-late]', (els) =>
        els.map((el) => [el.getAttribute('data-late'), el.querySelector('.tag')?.textContent]),
      );
      expect(late).toHaveLength(11);
      expect(late).toContainEqual(['HRSS-1', '逾期报送']);
      expect(late).toContainEqual(['HEALTH-6', '未报送']);
      expect(late.map(([pair]) => pair)).not.toContain('REDCROSS-10');
      // instants are shown in the plan's time zone: HRSS reported at 10:00 on 1 July (Shanghai)
      expect(await page.textContent('#late tr[data-late="HRSS-1"] td:last-child')).toContain('2023-07-01 10:00');
      expect(await page.textContent('#next-round .round-head')).toContain('2023-10-28 23:59');

      expect(await page.isHidden('#error')).toBe(true);
      expect(pageErrors).toEqual([]);

      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("stops the date picker at the hub's today and answers for an earlier day", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      await logInWithToken(page, t.url, office);
      await page.waitForSelector('#dashboard[data-as-of="2023-07-01"] [data-project="10"]', wait);
      // a day after today is not asked for: the hub would refuse it (BAD_USER_INPUT on asOf)
      await page.fill('#asOf', '2023-08-01');
      await page.waitForSelector('#error:not([hidden])', wait);
      expect(await page.textContent('#error')).toContain('不能晚于今天（2023-07-01）');
      expect(await page.inputValue('#asOf')).toBe('2023-07-01');
      expect(await page.getAttribute('#dashboard', 'data-as-of')).toBe('2023-07-01');
      // as of 1 June: AEDs 8 + 7 + 5 + 3 + 3 = 26 of 86 = 30.23 %; expected 152/365 = 41.64:
      // 11.41 points behind, BEHIND
      await page.fill('#asOf', '2023-06-01');
      await page.waitForSelector('#dashboard[data-as-of="2023-06-01"] [data-project="10"]', wait);
      expect(await page.isHidden('#error')).toBe(true);
      expect(await page.textContent('[data-project="10"] .percent')).toBe('30.23%');
      expect(await page.getAttribute('[data-project="10"]', 'data-status')).toBe('BEHIND');
    } finally {
      await context.close();
    }
  });

  it('downloads the XLSX and CSV ledgers and the bulletin (PDF and DOCX) of the date shown', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    try {
      // a person with a password: the ledgers come with the session's HttpOnly cookie
      await logInWithPassword(page, t.url, 'zhang.wei', officePassword);
      await page.waitForSelector('#dashboard[data-as-of="2023-07-01"] [data-project="10"]', wait);
      await page.fill('#asOf', '2023-06-01');
      await page.waitForSelector('#dashboard[data-as-of="2023-06-01"] [data-project="10"]', wait);
      const [xlsx] = await Promise.all([page.waitForEvent('download', wait), page.click('#ledger-xlsx')]);
      expect(xlsx.suggestedFilename()).toBe('ledger-shangrao-2023-2023-06-01.xlsx');
      const workbook = readFileSync(await xlsx.path());
      expect(workbook.subarray(0, 2).toString()).toBe('PK'); // a zip: the spreadsheet, not an error page
      const [csv] = await Promise.all([page.waitForEvent('download', wait), page.click('#ledger-csv')]);
      expect(csv.suggestedFilename()).toBe('ledger-shangrao-2023-2023-06-01.csv');
      const text = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '');
      expect(text.split('\r\n')[0]).toContain('项目,指标编号,指标');
      // as of 1 June: 10.1 is 26 of 86 AEDs (hand-worked in the test above)
      expect(text).toContain(',10.1,');
      expect(text).toContain(',26,30.23,');
      // and the monthly bulletin of that date, printed by the hub
      const [pdf] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#bulletin-pdf')]);
      expect(pdf.suggestedFilename()).toBe('bulletin-shangrao-2023-2023-06-01.pdf');
      expect(
        readFileSync(await pdf.path())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      // and the same bulletin as a Word document, to edit before sending it upward
      const [docx] = await Promise.all([page.waitForEvent('download', wait), page.click('#bulletin-docx')]);
      expect(docx.suggestedFilename()).toBe('bulletin-shangrao-2023-2023-06-01.docx');
      expect(
        readFileSync(await docx.path())
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
    } finally {
      await context.close();
    }
  });

  it('logs a person in with a name and password into an HttpOnly session that survives a reload, and 退出 ends it on the hub', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logInWithPassword(page, t.url, 'zhang.wei', 'not the password');
      await page.waitForFunction(
        () => document.querySelector('#login-message')?.textContent?.includes('用户名或密码错误'),
        undefined,
        wait,
      );
      expect(await page.isHidden('#dashboard')).toBe(true);

      await page.fill('#password', officePassword);
      await page.click('#password-button');
      await page.waitForSelector('#dashboard[data-as-of="2023-07-01"] [data-project="10"]', wait);
      expect(await page.textContent('#who')).toContain('zhang.wei');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}dashboard-password-session.png` });
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'hub_session', path: '/', httpOnly: true, sameSite: 'Strict' });
      expect(cookie.expires).toBeGreaterThan(Date.now() / 1000);
      // no script of the page can read it, and nothing of it is in the tab's storage
      expect(await page.evaluate(() => document.cookie)).toBe('');
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

      await page.reload();
      await page.waitForSelector('#dashboard[data-as-of="2023-07-01"] [data-project="10"]', wait);
      expect(await page.isHidden('#login')).toBe(true);

      await page.click('#logout');
      await page.waitForSelector('#password-form', { state: 'visible', ...wait });
      // the hub ended the session: the old cookie opens nothing any more
      await expect.poll(async () => (await context.cookies()).length, wait).toBe(0);
      const reused = await fetch(`${t.url}/export/ledger.csv`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
      expect(reused.status).toBe(401);
      await page.reload();
      await page.waitForSelector('#password-form', { state: 'visible', ...wait });
    } finally {
      await context.close();
    }
  });

  it('refuses an AGENCY token at login and an unknown one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logInWithToken(page, t.url, hrss);
      await page.waitForSelector('#login-message:not([hidden])', wait);
      expect(await page.textContent('#login-message')).toContain('市人社局');
      expect(await page.isHidden('#dashboard')).toBe(true);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(await context.cookies()).toEqual([]);

      await page.fill('#token', 'lph_not-a-token');
      await page.click('#login-button');
      await page.waitForFunction(() => document.querySelector('#login-message')?.textContent?.includes('令牌无效'), undefined, wait);
      expect(await page.isHidden('#dashboard')).toBe(true);

      await page.fill('#token', hrss);
      await page.click('#login-button');
      await page.waitForFunction(() => document.querySelector('#login-message')?.textContent?.includes('市人社局'), undefined, wait);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}dashboard-login.png` });
    } finally {
      await context.close();
    }
  });

  it('keeps the token for the session, and 退出 forgets it and the admin cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logInWithToken(page, t.url, office);
      await page.waitForSelector('#dashboard [data-project="1"]', wait);
      await page.reload();
      await page.waitForSelector('#dashboard [data-project="1"]', wait);
      expect(await page.isHidden('#login')).toBe(true);

      await page.click('#logout');
      await page.waitForSelector('#login-form', { state: 'visible', ...wait });
      expect(await page.isHidden('#dashboard')).toBe(true);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect((await context.cookies(`${t.url}/admin/queues`)).find((c) => c.name === 'hub_token')).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  it('logs out when the token is revoked while the page is open (401)', async () => {
    const { token, clientId } = await issueToken(t.hub.db, { role: 'BI' }, t.clock);
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logInWithToken(page, t.url, token);
      await page.waitForSelector('#dashboard [data-project="1"]', wait);
      // a BI token may read but leaves no admin cookie
      expect(await context.cookies()).toEqual([]);
      expect((await revokeToken(t.hub.db, clientId, t.clock)).revokedAt).toEqual(t.clock.now());
      await page.fill('#asOf', '2023-06-01');
      await page.waitForSelector('#login-message:not([hidden])', wait);
      expect(await page.textContent('#login-message')).toContain('登录已失效');
      expect(await page.isHidden('#dashboard')).toBe(true);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    } finally {
      await context.close();
    }
  });
});
