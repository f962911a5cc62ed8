import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, revokeToken } from '../src/auth/auth.service.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { laterLoan, loans as sampleLoans, obs } from './support/sample-data.js';

// The dashboard (src/http/dashboard) in a real Chromium against a real hub. A missing Chromium fails
// the file in beforeAll: there is no silent skip.
const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const wait = { timeout: 15_000 };

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

// The loans of test/support/sample-data.ts (hand-worked in test/progress.test.ts), hub clock at 2023-07-01
// (day 182 of 365: expected 182/365 = 49.8630… → 49.86): 1.2 = 7.25 亿元, 1.3 = 5, 1.4 = 0.8, 1.5 = 0.78, 1.1 = 800 万元.
const loans = [...sampleLoans, ...laterLoan];
// Project 1 as of 2023-07-01 (TRACKED 1.3, 1.4, 1.5, 1.8 left out; weights equal):
//   1.1 = 800 / 800 = 100 %
//   1.2 = (0.5 + 1.25 + 2.5 + 3) / 19.5 = 7.25 / 19.5 = 37.179487… %
//   1.6 = 1.3 / 1.2 = (0.5 + 2.5 + 2) / 7.25 = 68.965517…% of the 50 % bound = 137.93… % → capped 100
//   1.7 = 1.5 / 1.4 = 0.78 / 0.8 = 97.5 % of the 95 % bound = 102.63… % → capped 100
//   (100 + 37.179487… + 100 + 100) / 4 = 84.294871… → 84.29 (≥ 49.86: ON_TRACK)
// Project 10: 10.1 AEDs 43 / 86 = 50 % (10.2 people trained is TRACKED) → 50.00 (≥ 49.86: ON_TRACK)
const aeds = [obs('10.1', '2023-06-01', '43', 'A1'), obs('10.2', '2023-05-01', '120', 'T1'), obs('10.2', '2023-06-10', '80', 'T2')];
// Project 5: 5.5 home adaptations 500 / 2000 = 25 %; the other four indicators have no data → 25.00
//   (49.86 − 25 = 24.86 points behind, more than 10: BEHIND)
const adaptations = [obs('5.5', '2023-06-20', '500', 'H1')];
// Plan: (84.294871… + 50 + 25) / 3 = 53.098290… → 53.10; three of ten projects with data.
const expectedPercents: Record<number, string> = {
  1: '84.29%',
  2: '—',
  3: '—',
  4: '—',
  5: '25.00%',
  6: '—',
  7: '—',
  8: '—',
  9: '—',
  10: '50.00%',
};

describe('the dashboard in a browser', () => {
  let t: TestHub;
  let browser: Browser;
  let office: string;
  let hrss: string;

  beforeAll(async () => {
    // Chromium first: a machine without it fails here, not later
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 15_000 });
    t = await startTestHub({ now: '2023-06-20T10:00:00+08:00' });
    let redcross: string;
    let civil: string;
    [office, hrss, redcross, civil] = await Promise.all([
      t.token('OFFICE'),
      t.token('AGENCY', 'HRSS'),
      t.token('AGENCY', 'REDCROSS'),
      t.token('AGENCY', 'CIVIL'),
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
      t.gql(civil, submit, { input: adaptations }),
    ]);
    for (const r of results) expect(r.errors).toBeUndefined();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function logIn(page: Page, token: string) {
    await page.goto(`${t.url}/dashboard/`);
    await page.waitForSelector('#login-form', { state: 'visible', ...wait });
    await page.fill('#token', token);
    await page.click('#login-button');
  }

  it('shows the plan, the ten projects with hand-computed percents, one project in detail, and the reporting rounds', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await logIn(page, office);
      await page.waitForSelector('#dashboard', { state: 'visible', ...wait });
      // the page opens on the hub's today (its clock stands at 2023-07-01), not the browser's
      await page.waitForSelector('#dashboard[data-as-of="2023-07-01"] [data-project="10"]', wait);
      expect(await page.inputValue('#asOf')).toBe('2023-07-01');

      expect(await page.textContent('#plan-title')).toBe('2023年民生实事安排方案');
      expect(await page.textContent('#plan-doc')).toBe('饶府发〔2023〕5号');
      expect(await page.textContent('#overall-percent')).toBe('53.10%');
      expect(await page.textContent('#overall-expected')).toBe('49.86%');
      expect(await page.textContent('#overall-parts')).toBe('3/10 个项目有数据');

      const rows = await page.$$eval('[data-project]', (els) =>
        els.map((el) => ({
          number: Number(el.getAttribute('data-project')),
          percent: el.querySelector('.percent')?.textContent,
          status: el.getAttribute('data-status'),
        })),
      );
      expect(rows).toHaveLength(10);
      expect(Object.fromEntries(rows.map((r) => [r.number, r.percent]))).toEqual(expectedPercents);
      expect(rows.find((r) => r.number === 1)!.status).toBe('ON_TRACK');
      expect(rows.find((r) => r.number === 5)!.status).toBe('BEHIND');
      expect(rows.find((r) => r.number === 7)!.status).toBe('NO_DATA');
      // bar width = min(percent, 100) %
      const width = await page.$eval('[data-project="1"] .bar-fill', (el) => (el as HTMLElement).style.width);
      expect(width).toBe('84.29%');

      // the OFFICE login also leaves the queue admin UI its cookie (path /admin only)
      const cookies = await context.cookies(`${t.url}/admin/queues`);
      expect(cookies.find((c) => c.name === 'hub_token')).toMatchObject({ value: office, path: '/admin', sameSite: 'Strict' });
      expect((await context.cookies(`${t.url}/dashboard/`)).find((c) => c.name === 'hub_token')).toBeUndefined();

      // project 1 in detail
      await page.click('[data-project="1"]');
      await page.waitForSelector('#project-detail[data-project="1"][data-as-of="2023-07-01"] [data-indicator="1.8"]', wait);
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
      // 1.2 has four days with data: a sparkline
      expect(await page.$$('#project-detail tr[data-indicator="1.2"] svg.spark path')).toHaveLength(1);
      // by region: 信州区 has L1 + L3 = 0.5 + 2.5 = 3 亿元 of 1.2; 广丰区 1.25
      expect(await page.textContent('#region-table tr[data-region="361102"] td[data-indicator="1.2"]')).toBe('3');
      expect(await page.textContent('#region-table tr[data-region="361103"] td[data-indicator="1.2"]')).toBe('1.25');
      expect(await page.$$('#region-table tbody tr')).toHaveLength(16);

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

  it('refuses an AGENCY token at login and an unknown one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logIn(page, hrss);
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
      await logIn(page, office);
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
      await logIn(page, token);
      await page.waitForSelector('#dashboard [data-project="1"]', wait);
      // a BI token may read but leaves no admin cookie
      expect(await context.cookies()).toEqual([]);
      expect(await revokeToken(t.hub.db, clientId, t.clock)).toBe(true);
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
