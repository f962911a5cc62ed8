import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * The demo replays 2023 to 2023-10-20 from the simulator's default data (seed 20230531). The figures
 * below were worked out from that data by hand (summing the generated records with exact integers),
 * not read back from the hub.
 */
describe('npm run demo', () => {
  it('replays 2023 to October and tells a believable story: a mix of statuses, one late report, one quarantined record', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-demo-'));
    try {
      const { stdout } = await run('npm', ['run', '-s', 'demo', '--', '--exit'], {
        env: { ...process.env, HUB_DATA_DIR: dataDir, DATABASE_URL: '', SIM_PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' },
        timeout: 90_000,
      });
      // five feeds pulled; exactly one record quarantined: a 广信区 loan still tagged with 上饶县's pre-2019 code
      const runs = [...stdout.matchAll(/SUCCEEDED: \d+ records, \d+ observations, (\d+) quarantined/g)];
      expect(runs).toHaveLength(5);
      expect(runs.map((m) => Number(m[1]))).toEqual([1, 0, 0, 0, 0]);
      expect(stdout).toMatch(/quarantined: loanId=SR-CYDK-2023-\d{5} countyCode=361121 .*unknown region "361121"/);

      // round 1: DPF filed on 07-03 after the 06-28 deadline, NDRC never
      expect(stdout).toMatch(/逾期 1（市残联·第3项 2023-07-03报送）/);
      expect(stdout).toMatch(/未报 1（市发改委·第9项）/);

      // 2023-10-20 is day 293: 293/365 = 80.27 %
      expect(stdout).toMatch(/全市进度 \d+\.\d{2}%（序时进度 80\.27%，\d+\/\d+ 个项目有数据）/);

      // loans: the 4,466 loans issued by 2023-10-20 (the quarantined one left out) add up to
      // 1,635,500,000 元 = 16.355 亿元, in the intended 14–17 亿元; 16.355 / 19.5 = 83.87 % ≥ 80.27: 正常推进
      const loans = /^ {2}1\.2 +(\d+(?:\.\d+)?) 亿元\s+(\d+\.\d{2})%\s+(\S+)/m.exec(stdout);
      expect(Number(loans?.[1])).toBeGreaterThanOrEqual(14);
      expect(Number(loans?.[1])).toBeLessThanOrEqual(17);
      expect(loans?.slice(1)).toEqual(['16.355', '83.87', '正常推进']);
      expect(stdout).toMatch(/^ {2}1\.1 +800 万元/m);
      // recovered / due of loans due by then: 284,568,000 / 294,090,000 = 96.762216 % ≥ 95: the city holds the bound;
      // 鄱阳县 30,685,000 / 37,050,000 = 82.820513 %, 82.820513 / 95 = 87.18 % of the bound, under 90: 严重滞后
      expect(stdout).toMatch(/^ {2}1\.7 +96\.762216 %\s+101\.85%\s+已完成/m);
      expect(stdout).toMatch(/^ {2}鄱阳县\s+≥95 +82\.820513 +87\.18% +严重滞后$/m);
      // 68 AEDs installed by 2023-10-20: 68 / 86 = 79.07 %, within 10 points of 80.27: 滞后
      expect(stdout).toMatch(/^ {2}10\.1 +68 台\s+79\.07%\s+滞后\s/m);

      // projects: every one listed, with at least three different statuses; HPV (TRACKED only) not scored but counted
      const projects = [...stdout.matchAll(/^(\d{1,2}) +(\d+\.\d{2}%|—) +(\S+)/gm)].map((m) => [Number(m[1]), m[3]] as const);
      expect(projects.map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(projects.map(([, status]) => status)).size).toBeGreaterThanOrEqual(3);
      expect(projects).toContainEqual([7, '不评价']);
      expect(stdout).toMatch(/^ {2}7\.1 +18230 人/m);
      // the AI system: two of three stages done, 30 + 30 = 60 %, more than 10 points behind 80.27
      expect(projects).toContainEqual([9, '严重滞后']);
      expect(stdout).toMatch(/^OFFICE token: lph_[A-Za-z0-9_-]{43}$/m);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
