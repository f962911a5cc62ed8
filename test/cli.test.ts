import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('answers a missing file, a directory, an unknown option or command, and oversized input in one line, never a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-cli-'));
    // "billion laughs": nine aliases of nine aliases … would be 9^8 strings once expanded
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(
      bomb,
      ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        .concat('bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
        .join('\n'),
    );
    const large = join(dir, 'large.yaml');
    writeFileSync(large, `# ${'x'.repeat(100)}\n`.repeat(12_000)); // 1.2 MB of comments
    const cases: [string[], number, RegExp][] = [
      [['plan', 'load', 'plans/nope.yaml'], 1, /nope\.yaml was refused: no such file$/],
      [['plan', 'load', 'plans'], 1, /plans was refused: it is a directory, not a plan file$/],
      [['plan', 'load', '/dev/zero'], 1, /\/dev\/zero was refused: larger than 1 MB: not a plan file$/],
      [['plan', 'load', large], 1, /large\.yaml was refused: larger than 1 MB/],
      [['plan', 'load', bomb], 1, /bomb\.yaml was refused: more than 100 YAML aliases$/],
      [['plan', 'load'], 2, /^expected one plan file, got nothing$/],
      [['token', 'issue', '--role', 'BI', '--colour', 'red'], 2, /^unknown option --colour for token issue$/],
      [['token', 'issue', '--role'], 2, /^option --role needs a value$/],
      [['token', 'frobnicate'], 2, /^unknown command "token frobnicate"/],
      [['launch', 'rockets'], 2, /^unknown command "launch rockets"/],
      [['token', 'revoke', 'abc'], 2, /^token revoke needs one token id/],
    ];
    try {
      for (const [args, code, message] of cases) {
        const failure = (await cli(...args).then(
          () => undefined,
          (error: unknown) => error,
        )) as { code: number; stderr: string } | undefined;
        expect(failure, args.join(' ')).toBeDefined();
        expect({ args, code: failure!.code }).toEqual({ args, code });
        const lines = failure!.stderr.trim().split('\n');
        expect(lines, args.join(' ')).toHaveLength(1);
        expect(lines[0]).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
