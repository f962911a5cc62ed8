import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';
import { loans } from './support/sample-data.js';
import { artifacts, launchChromium, wait } from './support/browser.js';
import { systemActor } from '../src/audit/audit.service.js';

// The explorer (GraphiQL at /graphql, src/http/explorer.ts) in a real Chromium against real hubs. A missing
// Chromium fails the file in beforeAll: there is no silent skip.

const submit = /* GraphQL */ `
  mutation ($input: [ObservationInput!]!) {
    submitObservations(planCode: "shangrao-2023", input: $input) {
      accepted
    }
  }
`;
const loanRow = /* GraphQL */ `
  {
    consolidatedIndicators(planCode: "shangrao-2023", asOf: "2023-06-30") {
      indicatorCode
      value
    }
  }
`;

// GraphiQL's editors are CodeMirror 5, which draws only the lines in view: read and write them through
// the editor instance CodeMirror hangs on its wrapper element
interface CodeMirrorElement {
  CodeMirror: {
    getValue(): string;
    setValue(value: string): void;
    // GraphiQL's query editor: the operation a run sends
    operationName?: string | null;
  };
}
const editor = (area: string) => `${area} .CodeMirror`;
const queryEditor = editor('.graphiql-query-editor');
const responseEditor = editor('.result-window');
// the variables and the headers editors share a place: the one shown
const toolEditor = editor('.graphiql-editor-tool .graphiql-editor:not(.hidden)');

function editorValue(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as unknown as CodeMirrorElement).CodeMirror.getValue());
}
async function setEditorValue(page: Page, selector: string, value: string) {
  await page.$eval(selector, (el, text) => (el as unknown as CodeMirrorElement).CodeMirror.setValue(text), value);
}

/** GraphiQL reads an operation's name 100 ms after an edit or a change of tab: running sooner sends the last one. */
async function operationNamed(page: Page, name: string | null) {
  await page.waitForFunction(
    ([selector, expected]) => (document.querySelector(selector) as unknown as CodeMirrorElement).CodeMirror.operationName === expected,
    [queryEditor, name] as const,
    wait,
  );
}
async function setQuery(page: Page, query: string) {
  await setEditorValue(page, queryEditor, query);
  await operationNamed(page, null);
}
/** A new tab, once GraphiQL has switched to it: an edit made sooner lands in the tab before. */
async function newTab(page: Page) {
  const tabs = (await page.$$('.graphiql-tab')).length;
  await page.click('.graphiql-tab-add');
  await page.waitForFunction(
    ([selector, count]) =>
      document.querySelectorAll('.graphiql-tab').length === count &&
      document.querySelector('.graphiql-tab:last-of-type')!.classList.contains('graphiql-tab-active') &&
      (document.querySelector(selector) as unknown as CodeMirrorElement).CodeMirror.getValue().includes('新标签页'),
    [queryEditor, tabs + 1] as const,
    wait,
  );
}
async function showTab(page: Page, name: string) {
  await page.click(`.graphiql-tab-button:text-is("${name}")`);
  await operationNamed(page, name);
}

/** Runs the operation in the editor (the ▶ button, or Ctrl-Enter in the editor) and answers the parsed response. */
async function run(page: Page, how: 'button' | 'keys' = 'button') {
  await setEditorValue(page, responseEditor, '');
  if (how === 'button') await page.click('.graphiql-execute-button');
  else {
    await page.click(`${queryEditor} .CodeMirror-lines`);
    await page.keyboard.press('Control+Enter');
  }
  await page.waitForFunction(
    (selector) => (document.querySelector(selector) as unknown as CodeMirrorElement).CodeMirror.getValue() !== '',
    responseEditor,
    wait,
  );
  return JSON.parse(await editorValue(page, responseEditor));
}

/** Watches a page for errors, refused content (CSP) and requests that leave the hub. */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  const operations: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`) && !request.url().startsWith('data:')) problems.push(`request: ${request.url()}`);
    if (request.method() === 'POST') operations.push(request.postData() ?? '');
  });
  return { problems, operations };
}

async function useToken(page: Page, token: string) {
  await page.fill('#token', token);
  await page.click('#token-use');
  await page.waitForFunction(() => document.querySelector('#token-status')?.textContent?.includes('token set'), undefined, wait);
}

describe('the explorer in a browser', () => {
  let browser: Browser;
  let t: TestHub;
  let production: TestHub;
  let office: string;
  let hrss: string;

  beforeAll(async () => {
    // Chromium first: a machine without it fails here, not later
    browser = await launchChromium();
    // the hub's clock stands at 2023-07-01; the production hub keeps introspection off (HUB_INTROSPECTION unset)
    [t, production] = await Promise.all([startTestHub(), startTestHub({ env: { NODE_ENV: 'production' } })]);
    [office, hrss] = await Promise.all([t.token('OFFICE'), t.token('AGENCY', 'HRSS')]);
    const sent = await t.gql(hrss, submit, { input: loans });
    expect(sent.errors).toBeUndefined();
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await production?.close();
  });

  it('runs the preloaded examples with the token of the token field, and its docs panel shows the schema', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(wait.timeout);
    const { problems } = watch(page, t.url);
    try {
      await page.goto(`${t.url}/graphql`);
      await page.waitForSelector('.graphiql-container', wait);
      expect(await page.getAttribute('#token', 'type')).toBe('password');
      expect(await page.textContent('#token-status')).toContain('enter a token');
      expect(await page.isHidden('#introspection-off')).toBe(true);
      await useToken(page, office);
      expect(await page.evaluate(() => sessionStorage.getItem('hub.explorer.token'))).toBe(office);

      // the examples: read progress, push observations, my tasks
      expect(await page.$$eval('.graphiql-tab-button', (tabs) => tabs.map((tab) => tab.textContent))).toEqual([
        'ReadProgress',
        'PushObservations',
        'MyTasks',
      ]);

      // reading progress as of 2023-06-30: 1.2 loans L1–L3 = 0.5 + 1.25 + 2.5 = 4.25 亿元 of 19.5 = 21.794… → 21.79 %;
      // expected: day 181 of 365 = 49.589… → 49.59
      expect(await editorValue(page, queryEditor)).toContain('query ReadProgress');
      const progress = await run(page);
      expect(progress.errors).toBeUndefined();
      expect(progress.data.today).toBe('2023-07-01');
      expect(progress.data.plan.title).toBe('2023年民生实事安排方案');
      expect(progress.data.plan.projects).toHaveLength(10);
      const loansRow = progress.data.consolidatedIndicators.find((row: { indicatorCode: string }) => row.indicatorCode === '1.2');
      expect(loansRow).toMatchObject({
        indicatorName: '新增发放创业担保贷款',
        unit: '亿元',
        value: '4.25',
        percent: 21.79,
        expectedPercent: 49.59,
      });

      // pushing observations: a dry run of 5000 万元 of 1.2 in 信州区, counted and not written
      await showTab(page, 'PushObservations');
      expect(await editorValue(page, toolEditor)).toContain('"dryRun": true');
      const pushed = await run(page);
      expect(pushed.errors).toBeUndefined();
      expect(pushed.data.submitObservations).toMatchObject({ accepted: 1, dryRun: true });
      const after = await t.gql(office, loanRow);
      expect(after.data!.consolidatedIndicators.find((row: { indicatorCode: string }) => row.indicatorCode === '1.2').value).toBe('4.25');

      // my tasks: the rounds and the inbox
      await showTab(page, 'MyTasks');
      const tasks = await run(page);
      expect(tasks.errors).toBeUndefined();
      expect(tasks.data.me.role).toBe('OFFICE');
      expect(tasks.data.reportingRounds.map((round: { dueOn: string }) => round.dueOn)).toEqual(['2023-06-28', '2023-10-28', '2023-12-23']);

      // an operation typed into the editor, run with Ctrl-Enter
      await newTab(page);
      await setQuery(page, '{ today me { role } }');
      expect(await run(page, 'keys')).toEqual({ data: { today: '2023-07-01', me: { role: 'OFFICE' } } });

      // the docs panel: the schema loaded with the token, down to a field and its type
      await page.click('button[aria-label="Show Documentation Explorer"]');
      await page.waitForSelector('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("Query")', wait);
      await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("Query")');
      await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name:text-is("consolidatedIndicators")');
      await page.waitForSelector('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("IndicatorRow")', wait);
      expect(await page.textContent('.graphiql-doc-explorer')).toContain('One flat row per indicator');

      // the token stays for the session (sessionStorage) and out of GraphiQL's localStorage, which keeps the
      // tabs half a second after the last change
      await page.waitForFunction(
        () => JSON.parse(localStorage.getItem('graphiql:tabState') ?? '{"tabs":[]}').tabs.length === 4,
        undefined,
        wait,
      );
      await page.reload();
      await page.waitForSelector('.graphiql-container', wait);
      expect(await page.inputValue('#token')).toBe(office);
      expect(await page.textContent('#token-status')).toContain('token set');
      expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(office);

      await showTab(page, 'ReadProgress');
      expect((await run(page)).data.plan.title).toBe('2023年民生实事安排方案');
      if (!(await page.isVisible('.graphiql-doc-explorer'))) await page.click('button[aria-label="Show Documentation Explorer"]');
      await page.waitForSelector('.graphiql-doc-explorer', wait);
      expect(problems).toEqual([]);
      await page.screenshot({ path: `${artifacts}explorer.png` });
    } finally {
      await context.close();
    }
  });

  it('works without a token for a person logged in to the dashboard: their session cookie, and the docs', async () => {
    await t.hub.users.add({ name: 'li.na', role: 'BI', password: 'correct horse battery' }, systemActor);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(wait.timeout);
    const { problems } = watch(page, t.url);
    try {
      // logged in on the dashboard of this browser (the same cookie jar)
      const login = await page.request.post(`${t.url}/auth/login`, { data: { name: 'li.na', password: 'correct horse battery' } });
      expect(login.status()).toBe(200);
      await page.goto(`${t.url}/graphql`);
      await page.waitForFunction(() => document.querySelector('#token-status')?.textContent?.includes('li.na'), undefined, wait);
      expect(await page.inputValue('#token')).toBe('');
      await newTab(page);
      await setQuery(page, '{ me { role userName } }');
      expect(await run(page, 'keys')).toEqual({ data: { me: { role: 'BI', userName: 'li.na' } } });
      await page.click('button[aria-label="Show Documentation Explorer"]');
      await page.waitForSelector('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("Query")', wait);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("sends the headers editor's Authorization instead of the token field's", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(wait.timeout);
    const { problems } = watch(page, t.url);
    try {
      await page.goto(`${t.url}/graphql`);
      await page.waitForSelector('.graphiql-container', wait);
      await useToken(page, office);
      await newTab(page);
      await setQuery(page, '{ me { role agency { code } } }');
      await page.click('.graphiql-editor-tools button:text-is("Headers")');
      await setEditorValue(page, toolEditor, JSON.stringify({ Authorization: `Bearer ${hrss}` }));
      expect(await run(page)).toEqual({ data: { me: { role: 'AGENCY', agency: { code: 'HRSS' } } } });

      // with no token anywhere the hub says what to send
      await setEditorValue(page, toolEditor, '');
      await page.click('#token-clear');
      await page.waitForFunction(() => document.querySelector('#token-status')?.textContent?.includes('enter a token'), undefined, wait);
      expect(await page.evaluate(() => sessionStorage.getItem('hub.explorer.token'))).toBeNull();
      const refused = await run(page);
      expect(refused.errors[0].extensions.code).toBe('UNAUTHENTICATED');

      // GraphiQL's dialogs add a <style> element: the explorer's policy lets it in (scripts stay 'self')
      await page.click('button[aria-label="Open settings dialog"]');
      await page.waitForSelector('.graphiql-dialog', wait);
      await page.keyboard.press('Escape');
      await page.waitForSelector('.graphiql-dialog', { state: 'detached', ...wait });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says so where introspection is off, asks for no schema, and still runs queries', async () => {
    const bi = await production.token('BI');
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(wait.timeout);
    const { problems, operations } = watch(page, production.url);
    try {
      await page.goto(`${production.url}/graphql`);
      await page.waitForSelector('#introspection-off', { state: 'visible', ...wait });
      const notice = await page.textContent('#introspection-off');
      expect(notice).toContain('关闭内省');
      expect(notice).toContain('Introspection is off on this hub');
      expect(notice).toContain('HUB_INTROSPECTION=true');

      await useToken(page, bi);
      await newTab(page);
      await setQuery(page, '{ today me { role } }');
      expect(await run(page)).toEqual({ data: { today: '2023-07-01', me: { role: 'BI' } } });
      expect(operations.filter((body) => body.includes('__schema'))).toEqual([]);
      expect(problems).toEqual([]);
      await page.screenshot({ path: `${artifacts}explorer-introspection-off.png` });
    } finally {
      await context.close();
    }
  });
});
