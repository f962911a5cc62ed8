import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulletinData } from '../src/progress/bulletin.js';
import { maxWaitingPrints, oneAtATime } from '../src/shared/pdf.js';
import { bulletinHub, bulletinSections, expectOverviewOf, sectionOf } from './support/bulletin.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { aedRegionTargets, aedsByCounty } from './support/sample-data.js';

const run = promisify(execFile);
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

// 进展通报 (GET /export/bulletin.pdf): printed by Debian's Chromium (.ci/run installs it and
// fonts-wqy-microhei), read back with poppler's pdfinfo and pdftotext. No silent skip without them.

async function fetchPdf(t: TestHub, token: string, query: string) {
  return fetch(`${t.url}/export/bulletin.pdf?${query}`, { headers: { authorization: `Bearer ${token}` } });
}

/** Saves the PDF under test-artifacts/ and reads it back: its page count and its text, page by page and whole. */
async function readPdf(bytes: Buffer, name: string) {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, name);
  writeFileSync(path, bytes);
  const info = (await run('/usr/bin/pdfinfo', [path])).stdout;
  const text = (await run('/usr/bin/pdftotext', ['-layout', path, '-'])).stdout;
  return { path, info, pages: Number(/Pages:\s+(\d+)/.exec(info)![1]), text, flat: text.replace(/\s+/g, '') };
}

beforeAll(() => {
  for (const tool of ['/usr/bin/chromium', '/usr/bin/pdfinfo', '/usr/bin/pdftotext']) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install chromium fonts-wqy-microhei poppler-utils (.ci/run does)`);
  }
});

describe('the monthly bulletin (进展通报) as PDF', () => {
  let t: TestHub;
  let office: string;
  let pdf: Awaited<ReturnType<typeof readPdf>>;

  beforeAll(async () => {
    ({ t, office } = await bulletinHub());

    const response = await fetchPdf(t, office, 'asOf=2023-07-01');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="bulletin-shangrao-2023-2023-07-01.pdf"');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    pdf = await readPdf(bytes, 'bulletin.pdf');
  }, 90_000);
  afterAll(() => t?.close());

  it('prints two to four A4 portrait pages with every section, the as-of date and page numbers', () => {
    expect(pdf.info).toMatch(/Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)|Page size:\s+595(\.\d+)? x 842(\.\d+)? pts/);
    expect(pdf.pages).toBeGreaterThanOrEqual(2);
    expect(pdf.pages).toBeLessThanOrEqual(4);
    expect(pdf.text).toContain('民生实事进展通报');
    for (const title of bulletinSections) expect(pdf.flat).toContain(title);
    // the footer of every page: the as-of date and "第 n 页，共 N 页"
    for (let page = 1; page <= pdf.pages; page += 1) expect(pdf.flat).toContain(`第${page}页，共${pdf.pages}页`);
    expect(pdf.flat.split('数据截至2023-07-01').length - 1).toBe(pdf.pages);
    // the projects' titles in Chinese, as the plan names them
    expect(pdf.flat).toContain('加大创业担保贷款扶持力度');
    expect(pdf.flat).toContain('加大自动体外除颤器投放力度');
  });

  it('states the plan percent worked out by hand, against the time elapsed, with how many projects have data', () => {
    // worked by hand in test/support/bulletin.ts
    expectOverviewOf(pdf.flat);
    expect(sectionOf(pdf.flat, '一、总体进展')).toContain('严重滞后');
  });

  it('charts every project, showing those without data or not scored as such instead of as 0 bars', () => {
    const chart = sectionOf(pdf.flat, '二、十件实事进展');
    expect(chart).toContain('序时进度49.86%');
    expect(chart).toContain('84.29%');
    expect(chart).toContain('12.50%');
    expect(chart).toContain('60.00%');
    // projects 3, 4, 5, 6 and 8 have scored indicators and nothing reported; 7 is TRACKED only
    expect(chart.split('无数据：0/').length - 1).toBe(5);
    expect(chart).toContain('不评价：仅设跟踪指标');
  });

  it('lists the projects behind with their lead agencies and latest report, and those without data', () => {
    const behind = sectionOf(pdf.flat, '三、进度滞后的项目');
    // only project 2 (12.50 %, 37.36 points behind 49.86) is LAGGING or BEHIND; it is co-led and has no report
    expect(behind).toContain('1个项目进度滞后');
    expect(behind).toContain('提高低保对象');
    expect(behind).toMatch(/提高低保对象.*市民政局、.*市人社局/);
    expect(behind).toContain('37.36');
    expect(behind).toContain('未报送');
    expect(behind).toContain('另有5个项目尚无数据');
  });

  it('ranks the lead agencies by the mean of the projects they lead, as the dashboard shows them', () => {
    const ranking = sectionOf(pdf.flat, '四、牵头单位进度排名');
    // NDRC 9: 60; REDCROSS 10: 50; HRSS 1 and 2: (84.294871… + 12.5)/2 = 48.40; CIVIL 2–5: 12.5/4 = 3.125 → 3.13;
    // DPF (3) and HEALTH (6, 8; 7 not scored) have no data: listed last, unranked
    const order = ['1市发改委', '2市红十字会', '3市人社局', '4市民政局', '—市残联', '—市卫健委'].map((a) => ranking.indexOf(a));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(ranking).toContain('48.40%');
    expect(ranking).toContain('3.13%');
    expect(ranking).toContain('相同者并列');
  });

  it('says in one sentence that a plan without decomposed targets ranks no county', () => {
    expect(sectionOf(pdf.flat, '五、县（市、区）排名')).toContain('本计划未分解到县（市、区）的指标，不排名');
  });

  it('lists who reported late or not at all for the rounds due by the date', () => {
    const rounds = sectionOf(pdf.flat, '六、报送情况');
    // round one: 12 (lead agency, project) pairs; REDCROSS on time, HRSS late on 1 July, ten never sent
    expect(rounds).toContain('第一次进展报送');
    expect(rounds).toContain('应报12项，按时1项，逾期报送1项，未报送10项');
    // one row per agency: what it never sent, what it sent late and when (cells wrap, so their text interleaves)
    expect(rounds).toContain('逾期报送的项目（首次报送时间）');
    expect(rounds).toContain('（2023-07-0110:00）');
    for (const agency of ['市人社局', '市民政局', '市残联', '市卫健委', '市发改委']) expect(rounds).toContain(agency);
    expect(rounds).not.toContain('市红十字会');
    expect(rounds).not.toContain('第二次进展报送');
  });

  it('reads reports as they stood at the end of the date asked', async () => {
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    const july1 = await bulletinData(t.hub, plan, '2023-07-01');
    expect(july1.rounds[0].late.map((l) => [l.agencyName, l.projectNumber, l.submittedAt])).toEqual([
      ['市人社局', 1, '2023-07-01 10:00'],
      ['市民政局', 2, null],
      ['市人社局', 2, null],
      ['市民政局', 3, null],
      ['市残联', 3, null],
      ['市民政局', 4, null],
      ['市民政局', 5, null],
      ['市卫健委', 6, null],
      ['市卫健委', 7, null],
      ['市卫健委', 8, null],
      ['市发改委', 9, null],
    ]);
    // on 30 June HRSS had not reported yet: round one had one report, on time
    const june30 = await bulletinData(t.hub, plan, '2023-06-30');
    expect(june30.rounds.map((r) => [r.title, r.pairs, r.onTime, r.late.length])).toEqual([['第一次进展报送', 12, 1, 11]]);
    expect(june30.rounds[0].late.find((l) => l.projectNumber === 1)).toEqual({
      agencyName: '市人社局',
      projectNumber: 1,
      projectTitle: '加大创业担保贷款扶持力度',
      submittedAt: null,
    });
    expect(june30.projects.find((p) => p.number === 1)!.lastReportedOn).toBeNull();
    // before the first due day no round is listed
    expect((await bulletinData(t.hub, plan, '2023-06-27')).rounds).toEqual([]);
  });

  it('is for OFFICE and BI tokens only, and refuses a date after today naming asOf', async () => {
    const agency = await fetchPdf(t, await t.token('AGENCY', 'HRSS'), 'asOf=2023-07-01');
    expect(agency.status).toBe(403);
    const anonymous = await fetch(`${t.url}/export/bulletin.pdf`);
    expect(anonymous.status).toBe(401);
    const future = await fetchPdf(t, office, 'asOf=2023-07-02');
    expect(future.status).toBe(400);
    const body = (await future.json()) as { errors: { message: string; extensions: { code: string; field: string } }[] };
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'asOf' });
    expect(body.errors[0].message).toContain('asOf');
    const malformed = await fetchPdf(t, office, 'asOf=2023-02-30');
    const refused = (await malformed.json()) as { errors: { extensions: { field: string } }[] };
    expect([malformed.status, refused.errors[0].extensions.field]).toEqual([400, 'asOf']);
    const unknown = await fetchPdf(t, office, 'plan=nope&asOf=2023-07-01');
    expect(unknown.status).toBe(404);
  });
});

describe('the bulletin of a plan with decomposed targets', () => {
  let t: TestHub;
  let pdf: Awaited<ReturnType<typeof readPdf>>;

  beforeAll(async () => {
    // 10.1's 86 AEDs decomposed over the 15 counties and zones (test/support/sample-data.ts)
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00', regionTargets: { '10.1': aedRegionTargets } });
    const { errors } = await t.gql(
      await t.token('AGENCY', 'REDCROSS'),
      'mutation ($input: [ObservationInput!]!) { submitObservations(input: $input) { accepted } }',
      { input: aedsByCounty },
    );
    expect(errors).toBeUndefined();
    const response = await fetchPdf(t, await t.token('BI'), 'plan=shangrao-2023&asOf=2023-07-01');
    expect(response.status).toBe(200);
    pdf = await readPdf(Buffer.from(await response.arrayBuffer()), 'bulletin-regions.pdf');
  }, 90_000);
  afterAll(() => t?.close());

  it('ranks the counties on their own targets, those without data last', () => {
    const units = sectionOf(pdf.flat, '五、县（市、区）排名');
    expect(units).toContain('10.1配备自动体外除颤器(AED)（台）');
    // against their own targets, as of 2023-07-01 (expected 49.86): 信州区 8/8 and 广丰区 7/7 = 100 (tied first),
    // 婺源县 5/6 = 83.33, 广信区 5/7 = 71.43, 横峰县 3/5 = 60, 余干县 4/7 = 57.14, 铅山县 3/6 and 万年县 3/6 = 50
    // (tied seventh), 玉山县 3/7 = 42.86, 鄱阳县 2/9 = 22.22; 弋阳县, 德兴市 and the three zones: no data, unranked
    const expected = [
      '1信州区10.1：8/8台（100.00%）100.00%已完成',
      '1广丰区',
      '3婺源县',
      '4广信区',
      '5横峰县',
      '6余干县',
      '7铅山县',
      '7万年县',
      '9玉山县10.1：3/7台（42.86%）42.86%滞后',
      '10鄱阳县10.1：2/9台（22.22%）22.22%严重滞后',
      '—弋阳县10.1：—/5台—无数据',
      '—德兴市',
      '—上饶经济技术开发区',
    ];
    const at = expected.map((row) => units.indexOf(row));
    expect(
      at.every((i) => i >= 0),
      JSON.stringify(expected.filter((_, i) => at[i] < 0)),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // 市本级 has no decomposed target: not ranked
    expect(units).not.toMatch(/[—\d]市本级/);
    expect(pdf.pages).toBeLessThanOrEqual(4);
  });
});

describe('printing without Chromium', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00', env: { HUB_CHROMIUM_PATH: '/nonexistent/chromium' } });
  });
  afterAll(() => t?.close());

  it('answers 503 naming HUB_CHROMIUM_PATH', async () => {
    const response = await fetchPdf(t, await t.token('OFFICE'), 'asOf=2023-07-01');
    expect(response.status).toBe(503);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.errors[0].message).toContain('HUB_CHROMIUM_PATH');
  });
});

describe('one print at a time', () => {
  it('runs queued work one after the other and refuses a crowd', async () => {
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const work = () =>
      new Promise<void>((resolve) => {
        running += 1;
        most = Math.max(most, running);
        release.push(() => {
          running -= 1;
          resolve();
        });
      });
    const queued = Array.from({ length: maxWaitingPrints }, () => oneAtATime(work));
    await expect(oneAtATime(work)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    for (let done = 0; done < maxWaitingPrints; done += 1) {
      await new Promise((r) => setTimeout(r, 5));
      expect(release).toHaveLength(done + 1);
      release[done]();
    }
    await Promise.all(queued);
    expect(most).toBe(1);
  });
});
