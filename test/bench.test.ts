import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench` keeps working: a small run end to end (its own database, the hub as its own
 * process, the raw yardstick, every value checked against raw SQL). Nothing here is about time.
 */
describe('the benchmark', () => {
  it('runs at a small size, checks every value and writes its results', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hub-bench-'));
    try {
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn('npx', ['tsx', 'bench/run.ts', '--rows', '5000', '--seconds', '1', '--out', out], {
          env: process.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
        child.on('exit', (exitCode) => resolve({ code: exitCode, output: text }));
      });
      expect(code, output).toBe(0);
      expect(output).toMatch(/\| values checked against raw SQL \| \| [1-9]\d* compared, 0 mismatches \|/);
      const files = readdirSync(out).filter((f) => /^bench-5000-.*\.json$/.test(f));
      expect(files).toHaveLength(1);
      const result = JSON.parse(readFileSync(join(out, files[0]), 'utf8'));
      expect(result).toMatchObject({ rows: 5000, values: { mismatches: 0 } });
      expect(result.values.compared).toBeGreaterThan(0);
      for (const figure of [
        result.ingest.copyRowsPerSecond,
        result.ingest.hubOneClientPerSecond,
        result.ingest.hubFourClientsPerSecond,
        result.dashboard.raw.rps,
        result.dashboard.hub.rps,
        result.dashboard.statementsPerRequest,
        result.hubRssMiB.dashboard,
      ]) {
        expect(figure).toBeGreaterThan(0);
      }
      expect(result.dashboard.hub.errors).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
