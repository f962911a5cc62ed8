import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';
import { submitSampleData } from './support/sample-data.js';

const run = promisify(execFile);
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

// The 台账 as the office prints it: LibreOffice (Debian's libreoffice-calc-nogui, which .ci/run
// installs) turns the XLSX into a PDF, and poppler's pdfinfo and pdftotext read it back.
describe('the printed ledger (台账)', () => {
  let t: TestHub;
  let dir: string;
  let pdf: string;

  beforeAll(async () => {
    for (const tool of ['/usr/bin/soffice', '/usr/bin/pdfinfo', '/usr/bin/pdftotext']) {
      if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install libreoffice-calc-nogui poppler-utils (.ci/run does)`);
    }
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    await submitSampleData(t);
    const bi = await t.token('BI');
    dir = mkdtempSync(join(tmpdir(), 'hub-ledger-'));
    const response = await fetch(`${t.url}/export/ledger.xlsx?asOf=2023-07-01&regions=all`, { headers: { authorization: `Bearer ${bi}` } });
    expect(response.status).toBe(200);
    const xlsx = join(dir, 'ledger.xlsx');
    writeFileSync(xlsx, Buffer.from(await response.arrayBuffer()));
    // its own profile folder, so a second LibreOffice (another test run) never shares one
    await run(
      '/usr/bin/soffice',
      ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'pdf', '--outdir', dir, xlsx],
      {
        timeout: 120_000,
        env: { ...process.env, HOME: dir },
      },
    );
    pdf = join(dir, 'ledger.pdf');
    mkdirSync(artifacts, { recursive: true });
    copyFileSync(pdf, join(artifacts, 'ledger.pdf'));
  }, 180_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('prints A4 landscape, one page wide, with the header, the as-of date and page numbers on every page', async () => {
    const info = (await run('/usr/bin/pdfinfo', [pdf])).stdout;
    // A4 landscape: 842 × 595 points
    expect(info).toMatch(/Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)|Page size:\s+842 x 595 pts/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    // 台账 (39 indicators) and 分地区 (663 rows) together: several pages down, never a page to the side
    expect(pages).toBeGreaterThan(2);
    for (const page of [1, 2, pages]) {
      const text = (await run('/usr/bin/pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdf, '-'])).stdout;
      // the first and the last column on the same page: one page wide
      expect(text, `page ${page}`).toContain('序号');
      expect(text, `page ${page}`).toContain('最近进展报送');
      expect(text, `page ${page}`).toContain('数据截至 2023-07-01');
      expect(text, `page ${page}`).toContain(`第 ${page} 页，共 ${pages} 页`);
    }
    const first = (await run('/usr/bin/pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-'])).stdout;
    expect(first).toContain('2023年民生实事安排方案台账');
    expect(first).toContain('加大创业担保贷款扶持力度');
    expect(first).toContain('严重滞后');
  });
});
