import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulletinHub, bulletinSections, expectOverviewOf, sectionOf } from './support/bulletin.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { aedRegionTargets, aedsByCounty } from './support/sample-data.js';

const run = promisify(execFile);
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

// 进展通报 as Word (GET /export/bulletin.docx): read back with Info-ZIP's unzip, and converted to PDF
// by LibreOffice Writer (.ci/run installs libreoffice-writer-nogui) to see how it pages.
const writer = '/usr/lib/libreoffice/program/libswlo.so';

async function fetchDocx(t: TestHub, token: string, query: string) {
  return fetch(`${t.url}/export/bulletin.docx?${query}`, { headers: { authorization: `Bearer ${token}` } });
}

const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };

/** The text of WordprocessingML: every w:t in order (not field codes), no-break hyphens, a line per paragraph. */
const textOf = (xml: string) =>
  (xml.match(/<w:t(?: [^>]*)?>[^<]*<\/w:t>|<w:noBreakHyphen\/>|<\/w:p>/g) ?? [])
    .map((part) => (part === '</w:p>' ? '\n' : part === '<w:noBreakHyphen/>' ? '-' : part.replace(/<[^>]+>/g, '')))
    .join('')
    .replace(/&(lt|gt|quot|apos|amp);/g, (e) => entities[e]);

/** Saves the file under a folder of its own and lists and reads its parts with unzip. */
async function readDocx(bytes: Buffer, dir: string, name: string) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  mkdirSync(artifacts, { recursive: true });
  copyFileSync(path, join(artifacts, name));
  const part = async (entry: string) => (await run('/usr/bin/unzip', ['-p', path, entry], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  const entries = (await run('/usr/bin/unzip', ['-Z1', path])).stdout.split('\n').filter(Boolean);
  const document = await part('word/document.xml');
  const text = textOf(document);
  return { path, entries, part, document, text, flat: text.replace(/\s+/g, '') };
}

/**
 * Converts the saved file to PDF with LibreOffice Writer (its own profile folder, so two runs never
 * share one) and reads it back with poppler: its page size and count, and its text without spaces.
 */
async function writerPdf(docxPath: string, dir: string, artifact: string) {
  await run(
    '/usr/bin/soffice',
    ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'pdf', '--outdir', dir, docxPath],
    {
      timeout: 120_000,
      env: { ...process.env, HOME: dir },
    },
  );
  // soffice exits 0 even when it cannot load the file (no Writer): the missing PDF says so
  const pdf = docxPath.replace(/\.docx$/, '.pdf');
  if (!existsSync(pdf)) throw new Error(`LibreOffice made no PDF of ${docxPath}: is libreoffice-writer-nogui installed?`);
  copyFileSync(pdf, join(artifacts, artifact));
  const info = (await run('/usr/bin/pdfinfo', [pdf])).stdout;
  const flat = (await run('/usr/bin/pdftotext', ['-layout', pdf, '-'])).stdout.replace(/\s+/g, '');
  return { info, pages: Number(/Pages:\s+(\d+)/.exec(info)![1]), flat };
}

beforeAll(() => {
  for (const tool of ['/usr/bin/unzip', '/usr/bin/soffice', writer, '/usr/bin/pdfinfo', '/usr/bin/pdftotext']) {
    if (!existsSync(tool)) {
      throw new Error(`${tool} is missing: apt-get install unzip libreoffice-writer-nogui poppler-utils (.ci/run does)`);
    }
  }
});

describe('the monthly bulletin (进展通报) as a Word document', () => {
  let t: TestHub;
  let office: string;
  let dir: string;
  let docx: Awaited<ReturnType<typeof readDocx>>;

  beforeAll(async () => {
    ({ t, office } = await bulletinHub());

    const response = await fetchDocx(t, office, 'asOf=2023-07-01');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="bulletin-shangrao-2023-2023-07-01.docx"');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    dir = mkdtempSync(join(tmpdir(), 'hub-bulletin-docx-'));
    docx = await readDocx(bytes, dir, 'bulletin.docx');
  }, 90_000);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('has the title, the document number and date, and the six bulletinSections in order', () => {
    expect(docx.text).toContain('民生实事进展通报');
    expect(docx.flat).toContain('2023年民生实事安排方案（饶府发〔2023〕5号）数据截至2023年7月1日');
    const at = bulletinSections.map((title) => docx.flat.indexOf(title));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(docx.flat).toContain('加大创业担保贷款扶持力度');
    expect(docx.flat).toContain('加大自动体外除颤器投放力度');
  });

  it('states the plan percent the PDF states, worked out by hand from the same data', () => {
    // the same figures as the PDF, worked by hand in test/support/bulletin.ts
    expectOverviewOf(docx.flat);
  });

  it('tables every project with its percent, the expected percent, its status and n/m, shaded by status', () => {
    const projects = sectionOf(docx.flat, '二、十件实事进展');
    // project 1: 84.29 %, 4 scored indicators with data; project 2: 12.50 %, 1 of 8; 9: 60 %; 10: 50 %
    expect(projects).toContain('1加大创业担保贷款扶持力度84.29%49.86%正常推进4/4');
    expect(projects).toContain('12.50%49.86%严重滞后1/8');
    expect(projects).toContain('60.00%');
    expect(projects).toContain('50.00%');
    // no data or not scored: said so in place of a bar
    expect(projects.split('无数据：0/').length - 1).toBe(5);
    expect(projects).toContain('不评价：仅设跟踪指标');
    // status fills from src/progress/status.ts: 严重滞后 #f8dcd8, 正常推进 #eaf6ed
    expect(docx.document).toMatch(/w:fill="f8dcd8"[^]*?严重滞后/);
    expect(docx.document).toContain('w:fill="eaf6ed"');
  });

  it('ranks the lead agencies and says how, and lists who reported late', () => {
    const ranking = sectionOf(docx.flat, '四、牵头单位进度排名');
    const order = ['1市发改委', '2市红十字会', '3市人社局', '4市民政局', '—市残联', '—市卫健委'].map((a) => ranking.indexOf(a));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(ranking).toContain('48.40%');
    expect(ranking).toContain('相同者并列');
    expect(sectionOf(docx.flat, '五、县（市、区）排名')).toContain('本计划未分解到县（市、区）的指标，不排名');
    const rounds = sectionOf(docx.flat, '六、报送情况');
    expect(rounds).toContain('应报12项，按时1项，逾期报送1项，未报送10项');
    expect(rounds).toContain('1.加大创业担保贷款扶持力度（2023-07-0110:00）');
    expect(rounds).toContain('以2023年7月1日24时前收到的报送为准');
  });

  it('is A4 portrait in a Chinese font, with 第 X 页，共 Y 页 from PAGE and NUMPAGES fields in the footer', async () => {
    expect(docx.document).toMatch(/<w:pgSz w:w="11906" w:h="16838"( w:orient="portrait")?\/>/);
    // the document defaults: Microsoft YaHei for East Asian text (and the rest), Chinese as the language
    const styles = await docx.part('word/styles.xml');
    const defaults = /<w:docDefaults>[^]*<\/w:docDefaults>/.exec(styles)![0];
    expect(defaults).toContain('w:eastAsia="Microsoft YaHei"');
    expect(defaults).toContain('w:ascii="Microsoft YaHei"');
    const footers = docx.entries.filter((e) => /^word\/footer\d*\.xml$/.test(e));
    expect(footers).toHaveLength(1);
    const footer = await docx.part(footers[0]);
    expect(footer).toMatch(/<w:instrText[^>]*>\s*PAGE\s*<\/w:instrText>/);
    expect(footer).toMatch(/<w:instrText[^>]*>\s*NUMPAGES\s*<\/w:instrText>/);
    expect(textOf(footer).replace(/\s+/g, '')).toBe('数据截至2023-07-01第页，共页shangrao-2023');
  });

  it('opens in LibreOffice Writer as two to four A4 pages, numbered in the footer', async () => {
    const { info, pages, flat } = await writerPdf(docx.path, dir, 'bulletin-docx.pdf');
    expect(info).toMatch(/Page size:\s+595(\.\d+)? x 84[12](\.\d+)? pts/);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(4);
    for (let page = 1; page <= pages; page += 1) expect(flat).toContain(`第${page}页，共${pages}页`);
    for (const title of bulletinSections) expect(flat).toContain(title);
    expect(flat).toContain('十件民生实事总体完成22.98%');
  }, 150_000);

  it('is for OFFICE and BI tokens only, and refuses a date after today naming asOf', async () => {
    const agency = await fetchDocx(t, await t.token('AGENCY', 'HRSS'), 'asOf=2023-07-01');
    expect(agency.status).toBe(403);
    expect((await fetch(`${t.url}/export/bulletin.docx`)).status).toBe(401);
    const future = await fetchDocx(t, office, 'asOf=2023-07-02');
    expect(future.status).toBe(400);
    const body = (await future.json()) as { errors: { message: string; extensions: { code: string; field: string } }[] };
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'asOf' });
    expect(body.errors[0].message).toContain('asOf');
    expect((await fetchDocx(t, await t.token('BI'), 'plan=nope&asOf=2023-07-01')).status).toBe(404);
  });
});

describe('the Word bulletin of a plan with decomposed targets', () => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00', regionTargets: { '10.1': aedRegionTargets } });
    const { errors } = await t.gql(
      await t.token('AGENCY', 'REDCROSS'),
      'mutation ($input: [ObservationInput!]!) { submitObservations(input: $input) { accepted } }',
      { input: aedsByCounty },
    );
    expect(errors).toBeUndefined();
  }, 60_000);
  afterAll(() => t?.close());

  it('ranks the counties on their own targets in a table, still within four pages', async () => {
    const response = await fetchDocx(t, await t.token('BI'), 'asOf=2023-07-01');
    expect(response.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'hub-bulletin-docx-'));
    try {
      const docx = await readDocx(Buffer.from(await response.arrayBuffer()), dir, 'bulletin-regions.docx');
      const units = sectionOf(docx.flat, '五、县（市、区）排名');
      // as in test/bulletin.test.ts: 信州区 8/8 and 广丰区 7/7 tied first, 鄱阳县 2/9 = 22.22 tenth, 弋阳县 no data
      const rows = [
        '1信州区10.1：8/8台（100.00%）100.00%已完成',
        '1广丰区',
        '10鄱阳县10.1：2/9台（22.22%）22.22%严重滞后',
        '—弋阳县10.1：—/5台—无数据',
      ];
      const at = rows.map((row) => units.indexOf(row));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(units).toContain('未分解任务的地区（含市本级）不参与排名');
      // fifteen ranked units more than the plan without decomposed targets
      expect((await writerPdf(docx.path, dir, 'bulletin-regions-docx.pdf')).pages).toBeLessThanOrEqual(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
