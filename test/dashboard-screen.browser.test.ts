import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/audit/audit.service.js';
import { statusLabels } from '../src/progress/status.js';
import { dashboardPolicy } from '../src/http/security-headers.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { aedRegionTargets, aedsByCounty, laterLoan, loans as sampleLoans, obs } from './support/sample-data.js';
import { artifacts, launchChromium, logInWithPassword, rgb, wait } from './support/browser.js';
import { pollUntil } from './support/spawned-hub.js';

// The 大屏 (src/http/dashboard/screen.html, issue 14) at 1920 × 1080 in a real Chromium against a real
// hub: figures read over HTTP, progressChanged followed over WebSocket, and the figures read again after
// a push with no reload. A missing Chromium fails the file in beforeAll: there is no silent skip.

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

// Hub clock at 2023-07-01: day 182 of 365, expected 182/365 = 49.8630… → 49.86 %. 10.1 (86 AEDs) is
// decomposed over the counties and zones (aedRegionTargets); everything else is a whole-city target.
// Data before the screen opens: the loans of test/support/sample-data.ts and the AEDs by county.
//   Project 1 (hand-worked in test/dashboard.browser.test.ts): 1.1 800/800 = 100; 1.2 7.25/19.5 =
//     37.179487…; 1.6 = 5/7.25 = 68.97 % of the 50 % bound → capped 100; 1.7 = 0.78/0.8 = 97.5 % of the
//     95 % bound → capped 100: (100 + 37.179487… + 100 + 100) / 4 = 84.294871… → 84.29
//   Project 10: 10.1 = 43/86 = 50.00 %; 10.2 TRACKED, no data
//   Plan: the nine scored projects (7 is TRACKED only), seven without data counting 0:
//     (84.294871… + 50) / 9 = 134.294871… / 9 = 14.921652… → 14.92 % (BEHIND: 34.94 points behind)
// The push: 弋阳县 (361126, decomposed target 5, no AED yet: NO_DATA) installs 3 on 1 July:
//   弋阳县 3/5 = 60.00 % ≥ 49.86: ON_TRACK; 10.1 全市 43 + 3 = 46/86 = 53.488372… → 53.49 %
//   Plan: (84.294871… + 53.488372…) / 9 = 137.783243… / 9 = 15.309249… → 15.31 %
// A second push, a loan of 1 亿元 in 信州区 on 1 July: 1.2 = 8.25 亿元; 信州区 3 + 1 = 4, 占全市
//   4/8.25 = 48.48 % (not decomposed: shown, not scored)
const loans = [...sampleLoans, ...laterLoan];
const aedInYiyang = obs('10.1', '2023-07-01', '3', 'AC-361126', { regionCode: '361126' });
const loanInXinzhou = obs('1.2', '2023-07-01', '1', 'L5', { regionCode: '361102' });

describe('the 大屏 in a browser', () => {
  let t: TestHub;
  let browser: Browser;
  let office: string;
  let hrss: string;
  let redcross: string;
  const password = 'big screen in the meeting room';

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00', regionTargets: { '10.1': aedRegionTargets } });
    [office, hrss, redcross] = await Promise.all([
      t.token('OFFICE'),
      t.token('AGENCY', 'HRSS'),
      t.token('AGENCY', 'REDCROSS'),
      t.hub.users.add({ name: 'li.na', role: 'OFFICE', password }, systemActor).then(() => ''),
    ]);
    const results = await Promise.all([t.gql(hrss, submit, { input: loans }), t.gql(redcross, submit, { input: aedsByCounty })]);
    for (const r of results) expect(r.errors).toBeUndefined();
    // the second round (due 28 October): REDCROSS has reported; the other pairs not yet
    const rounds = (await t.gql(office, '{ reportingRounds { id dueOn } }')).data!.reportingRounds as { id: string; dueOn: string }[];
    const second = rounds.find((r) => r.dueOn === '2023-10-28')!.id;
    const early = await t.gql(redcross, report, { input: { roundId: second, projectNumber: 10, text: '第二轮：AED投放推进中。' } });
    expect(early.data?.submitProgressReport).toEqual({ onTime: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A tile of the map: its status, value, second line and fill. */
  function tile(page: Page, region: string) {
    return page.$eval(`#tile-map .tile[data-region="${region}"]`, (el) => ({
      status: el.getAttribute('data-status'),
      value: el.querySelector('.tile-value')?.textContent,
      sub: el.querySelector('.tile-sub')?.textContent,
      background: getComputedStyle(el).backgroundColor,
    }));
  }

  it('is served at /dashboard/screen with the dashboard CSP, and graphql-ws from the hub itself', async () => {
    const page = await fetch(`${t.url}/dashboard/screen`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(dashboardPolicy);
    const markup = await page.text();
    expect(markup).toContain('<script type="module" src="screen.js"></script>');
    // no inline script or style, no inline handlers: the CSP would block them
    expect(markup).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(markup).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    // with a slash its relative URLs (./screen.js, ../graphql) would miss: one address
    const slash = await fetch(`${t.url}/dashboard/screen/?indicator=1.2`, { redirect: 'manual' });
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/dashboard/screen?indicator=1.2');

    const client = await fetch(`${t.url}/dashboard/vendor/graphql-ws/client.js`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/javascript/);
    expect(await client.text()).toContain('function createClient');
    for (const path of ['package.json', 'client.d.ts', '..%2Fpackage.json', 'index.cjs']) {
      expect((await fetch(`${t.url}/dashboard/vendor/graphql-ws/${path}`)).status, path).toBe(404);
    }
  });

  it('without a session, points to the dashboard to log in', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    try {
      await page.goto(`${t.url}/dashboard/screen`);
      await page.waitForSelector('#signin', { state: 'visible', ...wait });
      expect(await page.isHidden('#screen')).toBe(true);
      expect(await page.$eval('#signin a', (a) => (a as HTMLAnchorElement).href)).toBe(`${t.url}/dashboard/`);
    } finally {
      await context.close();
    }
  });

  it('shows the plan at 1920 × 1080 and, after a push, the new figures without a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const sockets: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    page.on('websocket', (socket) => sockets.push(socket.url()));
    try {
      // a person of the office logs in on the dashboard: the screen uses the same HttpOnly session
      await logInWithPassword(page, t.url, 'li.na', password);
      await page.waitForSelector('#dashboard [data-project="10"]', wait);

      // from here on the screen only (the dashboard's login page first tried a session it did not have: 401)
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(`${message.text()} ${message.location().url}`);
      });
      let navigations = 0;
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations++;
      });
      // the dashboard's 大屏 link
      await page.click('#screen-link');
      await page.waitForURL(`${t.url}/dashboard/screen`, wait);
      await page.waitForSelector('#live[data-live="connected"]', wait);
      await page.waitForSelector('#tile-map[data-indicator="10.1"] .tile[data-region="361126"]', wait);
      expect(navigations).toBe(1);
      expect(await page.textContent('#live-text')).toBe('实时');

      // the plan against the time elapsed, in large type
      expect(await page.textContent('#overall-percent')).toBe('14.92%');
      expect(await page.textContent('#overall-expected')).toBe('49.86%');
      expect(await page.textContent('#overall-body .badge')).toBe(statusLabels.BEHIND.zh);
      expect(await page.textContent('#overall-parts')).toBe('2/9 个项目有数据');
      expect(await page.textContent('#as-of')).toBe('数据截至 2023-07-01');
      const headline = await page.$eval('#overall-percent', (el) => Number.parseFloat(getComputedStyle(el).fontSize));
      expect(headline).toBeGreaterThanOrEqual(48);

      // the ten projects
      const projects = await page.$$eval('#project-rows [data-project]', (els) =>
        els.map((el) => [
          el.getAttribute('data-project'),
          el.querySelector('.project-percent')?.textContent,
          el.getAttribute('data-status'),
        ]),
      );
      expect(projects).toHaveLength(10);
      expect(projects[0]).toEqual(['1', '84.29%', 'ON_TRACK']);
      expect(projects[6]).toEqual(['7', '—', 'NOT_SCORED']);
      expect(projects[9]).toEqual(['10', '50.00%', 'ON_TRACK']);
      const titleSize = await page.$eval('.project-title', (el) => Number.parseFloat(getComputedStyle(el).fontSize));
      expect(titleSize).toBeGreaterThanOrEqual(24);

      // the next round: 28 October, 119 days from 1 July (30 + 31 + 30 + 28); REDCROSS has reported
      expect(await page.textContent('#countdown')).toBe('119');
      expect(await page.textContent('#deadline .round-facts')).toContain('2023-10-28 23:59');
      const missingAgencies = await page.$$eval('#missing li', (els) => els.map((el) => el.getAttribute('data-agency')));
      expect(missingAgencies).not.toContain('REDCROSS');
      expect(missingAgencies).toEqual(expect.arrayContaining(['HRSS', 'CIVIL', 'HEALTH', 'NDRC']));
      expect(await page.textContent('#missing li[data-agency="HEALTH"] .missing-projects')).toBe('6 7 8');

      // the tile map opens on the decomposed 10.1: each unit judged on its own target
      expect(await page.inputValue('#indicator')).toBe('10.1');
      expect(await page.$$('#tile-map .tile')).toHaveLength(16);
      // 信州区 8/8, 鄱阳县 2/9 = 22.22 % (BEHIND), 弋阳县 nothing yet, 市本级 does not report AEDs
      expect(await tile(page, '361102')).toEqual({
        status: 'ACHIEVED',
        value: '8',
        sub: '100.00%',
        background: rgb(statusLabels.ACHIEVED.colour),
      });
      expect(await tile(page, '361128')).toMatchObject({ status: 'BEHIND', sub: '22.22%', background: rgb(statusLabels.BEHIND.colour) });
      expect(await tile(page, '361126')).toMatchObject({ status: 'NO_DATA', value: '—' });
      expect(await tile(page, '361100')).toMatchObject({ status: 'NA', value: '·' });
      // in their rough places: 婺源 north-east of 鄱阳, 广丰 east of 信州, 铅山 south of 横峰
      const box = async (region: string) => (await page.$(`.tile[data-region="${region}"]`))!.boundingBox();
      const [poyang, wuyuan, xinzhou, guangfeng, hengfeng, yanshan] = await Promise.all(
        ['361128', '361130', '361102', '361103', '361125', '361124'].map(box),
      );
      expect(wuyuan!.x).toBeGreaterThan(poyang!.x);
      expect(wuyuan!.y).toBeLessThanOrEqual(poyang!.y);
      expect(guangfeng!.x).toBeGreaterThan(xinzhou!.x);
      expect(yanshan!.y).toBeGreaterThan(hengfeng!.y);

      // 1920 × 1080 with no scrollbars, and no panel cut short
      expect(await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight])).toEqual([
        1920, 1080,
      ]);
      const clipped = await page.$$eval('.panel, .tile, .project-title', (els) =>
        els
          .filter((el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
          .map((el) => `${el.id || el.className}: ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`),
      );
      expect(clipped).toEqual([]);
      expect(await page.$$('#ticker-list .tick-live')).toHaveLength(0);

      // a push over HTTP by the Red Cross: the screen reads the figures again, the page stays
      await page.evaluate(() => {
        (window as unknown as { stillHere: boolean }).stillHere = true;
      });
      // the hub has the screen's subscription (connected is the connection's ack; the subscribe follows it)
      await pollUntil('the screen to subscribe', () => t.hub.live.subscriptionCounts().progress === 1, 5_000);
      const pushed = await t.gql(redcross, submit, { input: [aedInYiyang] });
      expect(pushed.errors).toBeUndefined();
      await page.waitForFunction(() => document.querySelector('#overall-percent')?.textContent === '15.31%', undefined, wait);
      await page.waitForSelector('#tile-map .tile[data-region="361126"][data-status="ON_TRACK"]', wait);
      expect(await tile(page, '361126')).toEqual({
        status: 'ON_TRACK',
        value: '3',
        sub: '60.00%',
        background: rgb(statusLabels.ON_TRACK.colour),
      });
      expect(await page.textContent('#project-rows [data-project="10"] .project-percent')).toBe('53.49%');
      // the ticker: the change first, with its unit and the 全市 figure read again
      await page.waitForFunction(
        () => document.querySelector('#ticker-list .tick-live .tick-value')?.textContent?.startsWith('46'),
        undefined,
        wait,
      );
      const first = await page.$eval('#ticker-list .tick-live', (el) => ({
        indicator: el.getAttribute('data-indicator'),
        units: el.querySelector('.tick-units')?.textContent,
        value: el.querySelector('.tick-value')?.textContent,
        time: el.querySelector('.tick-time')?.textContent,
      }));
      expect(first).toMatchObject({ indicator: '10.1', units: '弋阳县', value: '46台53.49%' });
      expect(first.time).toMatch(/^\d{2}:\d{2}:\d{2}$/);
      expect(navigations).toBe(1);
      expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}screen.png` });

      // another indicator on the map: 1.2 is not decomposed, so a county shows its value and share, uncoloured
      await page.selectOption('#indicator', '1.2');
      await page.waitForSelector('#tile-map[data-indicator="1.2"] .tile[data-region="361102"]', wait);
      expect(page.url()).toBe(`${t.url}/dashboard/screen?indicator=1.2`);
      expect(await tile(page, '361102')).toMatchObject({ status: 'NOT_SCORED', value: '3', sub: '占全市 41.38%' });
      const fills = Object.values(statusLabels).map((s) => rgb(s.colour));
      expect(fills).not.toContain((await tile(page, '361102')).background);
      // a loan in 信州区: the map of the indicator shown follows it too
      const lent = await t.gql(hrss, submit, { input: [loanInXinzhou] });
      expect(lent.errors).toBeUndefined();
      await page.waitForFunction(
        () => document.querySelector('#tile-map .tile[data-region="361102"] .tile-sub')?.textContent === '占全市 48.48%',
        undefined,
        wait,
      );
      expect((await tile(page, '361102')).value).toBe('4');
      await page.waitForFunction(
        () => document.querySelector('#ticker-list .tick-live')?.getAttribute('data-indicator') === '1.2',
        undefined,
        wait,
      );
      expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

      // nothing left the hub: every request and the WebSocket went to its own origin, and the CSP blocked nothing
      const origin = new URL(t.url).origin;
      expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
      expect(sockets).toEqual([`${t.url.replace(/^http/, 'ws')}/graphql`]);
      expect(consoleErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('with a token the dashboard keeps for the tab, connects with it, and shows the login pointer once it is revoked', async () => {
    const issued = await t.gql<{ issueToken: { token: string; apiToken: { id: string } } }>(
      office,
      'mutation { issueToken(role: BI, label: "大屏") { token apiToken { id } } }',
    );
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    try {
      await page.goto(`${t.url}/dashboard/`);
      await page.waitForSelector('#login-form', { state: 'visible', ...wait });
      await page.fill('#token', issued.data!.issueToken.token);
      await page.click('#login-button');
      await page.waitForSelector('#dashboard [data-project="10"]', wait);
      expect(await context.cookies()).toEqual([]);

      await page.goto(`${t.url}/dashboard/screen`);
      await page.waitForSelector('#live[data-live="connected"]', wait);
      expect(await page.textContent('#overall-expected')).toBe('49.86%');

      const revoked = await t.gql(office, `mutation { revokeToken(id: ${issued.data!.issueToken.apiToken.id}) { active } }`);
      expect(revoked.errors).toBeUndefined();
      await page.waitForSelector('#signin', { state: 'visible', ...wait });
      expect(await page.isHidden('#screen')).toBe(true);
      expect(await page.getAttribute('#live', 'data-live')).toBe('closed');
    } finally {
      await context.close();
    }
  });
});
