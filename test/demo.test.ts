import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('replays 2023 to October on the embedded database and prints the progress table and a token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-demo-'));
    try {
      const { stdout } = await run('npm', ['run', '-s', 'demo', '--', '--exit'], {
        env: { ...process.env, HUB_DATA_DIR: dataDir, DATABASE_URL: '', SIM_PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' },
        timeout: 90_000,
      });
      // five feeds pulled from the simulator without a quarantined record
      expect(stdout.match(/SUCCEEDED: \d+ records, \d+ observations, 0 quarantined/g)).toHaveLength(5);
      expect(stdout).toMatch(/全市进度 \d+\.\d{2}%（序时进度 80\.27%，\d+\/10 个项目有数据）/); // 2023-10-20 is day 293: 293/365 = 80.27 %
      for (let n = 1; n <= 10; n += 1) expect(stdout).toMatch(new RegExp(`^${n}\\s+(\\d+\\.\\d{2}%|—)`, 'm'));
      expect(stdout).toMatch(/^ {2}1\.1 +800 万元/m);
      expect(stdout).toMatch(/^OFFICE token: lph_[A-Za-z0-9_-]{43}$/m);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
