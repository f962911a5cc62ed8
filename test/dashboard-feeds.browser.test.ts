import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../jobs/queues.js';
import { startWorkers } from '../jobs/workers.js';
import { runtimeOf, startTestHub, type TestHub } from './support/hub.js';
import { artifacts, launchChromium, logInWithPassword, logInWithToken, wait } from './support/browser.js';
import { systemActor } from '../src/audit/audit.service.js';

// The dashboard's feeds page (数据接入, src/http/dashboard/feeds.js) in a real Chromium against a real
// hub whose BullMQ worker pulls a feed from a small server of this test. A missing Chromium fails the
// file in beforeAll: there is no silent skip.

const upsert = /* GraphQL */ `
  mutation ($input: FeedInput!) {
    upsertFeed(input: $input) {
      id
    }
  }
`;

describe('the feeds page in a browser', () => {
  let t: TestHub;
  let browser: Browser;
  let server: Server;
  let stopWorkers: () => Promise<void>;
  let office: string;
  let bi: string;
  let redcross: string;
  let aedFeed: string;
  let brokenFeed: string;
  let idleFeed: string;

  beforeAll(async () => {
    // Chromium first: a machine without it fails here, not later
    browser = await launchChromium();
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    // the Red Cross's system: one page of two AED installations, the second in a county the plan does not know
    server = createServer((req, res) => {
      const path = req.url?.split('?')[0];
      if (path === '/aeds') {
        const items = [
          { deviceId: 'AED-0001', countyCode: '361102', installedOn: '2023-05-01', units: '2' },
          { deviceId: 'AED-0002', countyCode: '361199', installedOn: '2023-05-02', units: '1' },
        ];
        return res.setHeader('content-type', 'application/json').end(JSON.stringify({ items }));
      }
      res.writeHead(503).end('maintenance');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    [office, bi, redcross] = await Promise.all([t.token('OFFICE'), t.token('BI'), t.token('AGENCY', 'REDCROSS')]);
    // a person of the office, logged in with a password: the page's requests carry the session cookie
    await t.hub.users.add({ name: 'chen.jing', role: 'OFFICE', password: 'correct horse battery' }, systemActor);
    expect(await t.hub.jobs.connect()).toBe(true);
    stopWorkers = await startWorkers(t.hub, runtimeOf(t.hub));

    const feed = async (input: Record<string, unknown>) => {
      const { data, errors } = await t.gql(office, upsert, {
        input: { format: 'JSON', recordsPath: 'items', schedule: '0 3 * * *', ...input },
      });
      expect(errors).toBeUndefined();
      return String(data!.upsertFeed.id);
    };
    const aedMapping = {
      region: { field: 'countyCode' },
      date: { field: 'installedOn' },
      ref: { field: 'deviceId' },
      rules: [{ indicator: '10.1', value: 'units' }],
    };
    aedFeed = await feed({ agencyCode: 'REDCROSS', name: '红十字会AED投放台账', url: `${base}/aeds`, mapping: aedMapping });
    // a feed whose bureau is down: its last run failed, with the reason
    brokenFeed = await feed({ agencyCode: 'REDCROSS', name: '红十字会培训台账', url: `${base}/training`, mapping: aedMapping });
    await expect(t.hub.feeds.pull(Number(brokenFeed), 'earlier-run', 'SCHEDULE', 1, true)).rejects.toThrow(/503/);
    // and one switched off that never ran
    idleFeed = await feed({
      agencyCode: 'HRSS',
      name: '人社局创业担保贷款台账',
      url: `${base}/loans`,
      schedule: '0 2 * * *',
      enabled: false,
      mapping: {
        region: { field: 'countyCode' },
        date: { field: 'issuedOn' },
        ref: { field: 'loanId' },
        rules: [{ indicator: '1.2', value: 'amountYuan', unit: '元' }],
      },
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (t) await runtimeOf(t.hub).queue(QueueName.FeedPull).obliterate({ force: true });
    await stopWorkers?.();
    server?.close();
    await t?.close();
  });

  /** The data-status of a feed's row each time the table changes, from the click on: what the page showed. */
  const recordStatuses = (page: Page, feedId: string) =>
    page.evaluate((id) => {
      const seen: string[] = [];
      (window as unknown as { seenStatuses: string[] }).seenStatuses = seen;
      const body = document.getElementById('feeds-body')!;
      new MutationObserver(() => {
        const status = body.querySelector(`tr[data-feed="${id}"]`)?.getAttribute('data-status') ?? '';
        if (seen[seen.length - 1] !== status) seen.push(status);
      }).observe(body, { childList: true, subtree: true });
    }, feedId);

  it('lists the feeds with their last runs, runs one now and follows it, and shows its quarantined records', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await logInWithPassword(page, t.url, 'chen.jing', 'correct horse battery');
      await page.waitForSelector('#nav-feeds', { state: 'visible', ...wait });
      await page.click('#nav-feeds');
      await page.waitForSelector(`#feeds-table tr[data-feed="${aedFeed}"]`, wait);
      // the progress page steps aside; the address remembers the page
      expect(await page.isHidden('#overall')).toBe(true);
      expect(new URL(page.url()).hash).toBe('#feeds');

      const row = (id: string) => `#feeds-table tr[data-feed="${id}"]`;
      const cell = (id: string, name: string) => page.textContent(`${row(id)} .${name}`).then((s) => s?.trim());
      expect(await page.$$eval('#feeds-table tr[data-feed]', (rows) => rows.map((r) => r.getAttribute('data-feed')))).toEqual([
        aedFeed,
        brokenFeed,
        idleFeed,
      ]);
      expect(await cell(aedFeed, 'feed-name')).toContain('红十字会AED投放台账');
      expect(await cell(aedFeed, 'agency')).toBe('市红十字会');
      expect(await cell(aedFeed, 'schedule')).toBe('每天 03:00');
      expect(await cell(aedFeed, 'last-run')).toBe('尚未运行');
      expect(await cell(brokenFeed, 'last-run')).toContain('失败');
      expect(await cell(brokenFeed, 'run-error')).toContain('503');
      expect(await cell(idleFeed, 'schedule')).toBe('每天 02:00');
      expect(await page.textContent(`${row(idleFeed)} .tag`)).toBe('停用');

      // Run now: the queued run at once, then followed until it has finished
      await recordStatuses(page, aedFeed);
      await page.click(`${row(aedFeed)} [data-run-feed]`);
      await page.waitForSelector(`${row(aedFeed)}[data-status="SUCCEEDED"]`, wait);
      const seen = await page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses);
      expect(seen[0]).toBe('NEVER'); // the button turned to 运行中… before the hub answered
      expect(seen[1]).toBe('QUEUED');
      expect(seen[seen.length - 1]).toBe('SUCCEEDED');
      // one installation written, the other quarantined
      expect(await cell(aedFeed, 'written')).toBe('1');
      expect(await cell(aedFeed, 'quarantined')).toBe('1');
      expect(await cell(aedFeed, 'run-error')).toBe('—');
      expect(await cell(aedFeed, 'run-times')).toContain('2023-07-01 10:00');
      expect(await page.textContent('#feeds-notice')).toMatch(/^“红十字会AED投放台账”运行 #\d+ 完成：写入 1 条，隔离 1 条。$/);
      expect(await page.textContent(`${row(aedFeed)} [data-run-feed]`)).toBe('立即运行');

      // its details: the run, and the quarantined record named by the bureau's own field
      const runId = (await cell(aedFeed, 'last-run'))!.match(/#(\d+)/)![1];
      await page.click(`${row(aedFeed)} .actions [data-open-feed]`);
      await page.waitForSelector(`#feed-detail[data-feed="${aedFeed}"][data-run="${runId}"] #feed-rejections`, wait);
      expect(
        await page.$$eval('#feed-runs tr[data-run]', (rows) =>
          rows.map((r) => [r.getAttribute('data-run'), r.getAttribute('data-status')]),
        ),
      ).toEqual([[runId, 'SUCCEEDED']]);
      const rejections = await page.$$eval('#feed-rejections tbody tr', (rows) =>
        rows.map((r) => ({
          where: r.querySelector('.where')?.textContent,
          ref: r.querySelector('.ref')?.textContent,
          field: r.querySelector('.field')?.textContent,
          value: r.querySelector('.field-value')?.textContent,
          reason: r.querySelector('.reason')?.textContent,
        })),
      );
      expect(rejections).toEqual([
        {
          where: '第 1 页第 2 条',
          ref: 'AED-0002',
          field: 'countyCode',
          value: '361199',
          reason: 'unknown region "361199" in plan shangrao-2023',
        },
      ]);

      // Run now from the details: the new run joins the list and its records are shown
      await page.click('#feed-detail [data-run-feed]');
      await page.waitForFunction(
        ([id, earlier]) => {
          const panel = document.querySelector(`#feed-detail[data-feed="${id}"]`);
          const run = panel?.getAttribute('data-run');
          return run && run !== earlier && panel?.querySelector(`#feed-runs tr[data-run="${run}"][data-status="SUCCEEDED"]`);
        },
        [aedFeed, runId],
        wait,
      );
      expect(await page.$$eval('#feed-runs tr[data-run]', (rows) => rows.length)).toBe(2);
      expect(await page.textContent('#feed-rejections .field')).toBe('countyCode');
      // the second pull wrote the same installation again: unchanged, still counted as written
      expect(await cell(aedFeed, 'written')).toBe('1');

      // the earlier run's records, picked in the list
      await page.click(`#feed-runs [data-pick-run="${runId}"]`);
      await page.waitForSelector(`#feed-detail[data-run="${runId}"] #feed-runs tr.selected[data-run="${runId}"]`, wait);

      expect(await page.isHidden('#error')).toBe(true);
      expect(pageErrors).toEqual([]);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}dashboard-feeds.png`, fullPage: true });

      // back to the progress page
      await page.click('.view-tab[data-view="overview"]');
      expect(await page.isVisible('#overall')).toBe(true);
      expect(await page.isHidden('#feeds-view')).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows no feeds page to BI, even after an OFFICE login in the same tab or with #feeds in the address', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await logInWithToken(page, t.url, office);
      await page.waitForSelector('#nav-feeds', { state: 'visible', ...wait });
      await page.click('#nav-feeds');
      await page.waitForSelector('#feeds-table', wait);
      await page.click('#logout');
      await page.waitForSelector('#login-form', { state: 'visible', ...wait });

      await page.fill('#token', bi);
      await page.click('#login-button');
      await page.waitForSelector('#dashboard [data-project="10"]', wait);
      expect(await page.isVisible('#nav-feeds')).toBe(false);
      expect(await page.isHidden('#feeds-view')).toBe(true);
      expect(await page.isVisible('#overall')).toBe(true);
      expect(await page.$$('#feeds-table')).toEqual([]);

      await page.goto(`${t.url}/dashboard/#feeds`);
      await page.waitForSelector('#dashboard [data-project="10"]', wait);
      expect(await page.isVisible('#nav-feeds')).toBe(false);
      expect(await page.isHidden('#feeds-view')).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows no feeds page to an agency', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logInWithToken(page, t.url, redcross);
      // the dashboard refuses an agency's token at login: no page, no tab
      await page.waitForSelector('#login-message:not([hidden])', wait);
      expect(await page.isVisible('#nav-feeds')).toBe(false);
      expect(await page.isHidden('#feeds-view')).toBe(true);
    } finally {
      await context.close();
    }
  });
});
