import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from './support/urls.js';
import { planPath, startTestHub, type TestHub } from './support/hub.js';

const run = promisify(execFile);

describe('the CLI', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ loadPlan: false });
  });
  afterAll(() => t.close());

  const cli = (...args: string[]) =>
    run('node_modules/.bin/tsx', ['src/cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl(t.databaseName), LOG_LEVEL: 'silent' },
    });

  it('loads a plan file and issues a token that the API accepts', async () => {
    const loaded = await cli('plan', 'load', planPath);
    expect(loaded.stdout.trim()).toBe('plan shangrao-2023 created: 10 projects, 39 indicators');
    const issued = await cli('token', 'issue', '--agency', 'HRSS', '--role', 'AGENCY');
    const token = issued.stdout.trim().split('\n').pop()!;
    expect(token).toMatch(/^lph_[A-Za-z0-9_-]{43}$/);
    expect((await t.gql(token, '{ me { role agency { code } } }')).data).toEqual({ me: { role: 'AGENCY', agency: { code: 'HRSS' } } });
  }, 30_000);

  it('refuses a bad plan file with its problems, and a bad role', async () => {
    const bad = cli('plan', 'load', 'package.json');
    await expect(bad).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('package.json was refused') });
    await expect(cli('token', 'issue', '--role', 'KING')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--role must be AGENCY, BI or OFFICE'),
    });
  }, 30_000);
});
