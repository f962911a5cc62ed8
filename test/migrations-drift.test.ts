import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('drizzle migrations', () => {
  it('drizzle-kit generate finds nothing new to migrate', async () => {
    // drizzle-kit wants paths relative to the working directory
    const dir = relative(process.cwd(), mkdtempSync(join(tmpdir(), 'hub-drift-')));
    try {
      cpSync(resolve('drizzle/migrations'), join(dir, 'migrations'), { recursive: true });
      const config = join(dir, 'drizzle.config.json');
      writeFileSync(
        config,
        JSON.stringify({ dialect: 'postgresql', schema: './drizzle/schema/index.ts', out: join(dir, 'migrations'), casing: 'snake_case' }),
      );
      const before = readdirSync(join(dir, 'migrations')).length;
      const { stdout, stderr } = await run('node_modules/.bin/drizzle-kit', ['generate', `--config=${config}`]);
      expect(stderr).not.toMatch(/error/i);
      expect(stdout).toContain('No schema changes');
      expect(readdirSync(join(dir, 'migrations'))).toHaveLength(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
