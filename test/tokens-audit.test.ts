import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../jobs/queues.js';
import { createHub } from '../src/app.js';
import { hashToken } from '../src/auth/auth.service.js';
import { loadConfig } from '../src/config/config.js';
import { queryRows } from '../src/db/database.js';
import { listenAdminSocket } from '../src/http/admin-socket.js';
import { loadPlanFile } from '../src/plan/plan.files.js';
import { ManualClock } from '../src/shared/clock.js';
import { loanMapping } from './support/feeds.js';
import { planPath, startTestHub, type GraphQLResponse, type TestHub, runtimeOf } from './support/hub.js';
import { databaseUrl } from './support/urls.js';

const run = promisify(execFile);
const now = '2023-07-01T10:00:00+08:00';

/** The CLI as an operator runs it; the last line of a token command is the token. */
function cliOn(env: Record<string, string>) {
  return async (...args: string[]) => {
    const { stdout } = await run('node_modules/.bin/tsx', ['src/cli.ts', ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', HUB_NOW: now, REDIS_URL: 'redis://127.0.0.1:1', ...env },
    });
    return stdout.trim();
  };
}
const lastLine = (output: string) => output.split('\n').pop()!;

const tokenFields = 'id label role agency { code } createdAt lastUsedAt expiresAt revokedAt active';

describe('tokens from the command line (PostgreSQL)', () => {
  let t: TestHub;
  let cli: ReturnType<typeof cliOn>;
  beforeAll(async () => {
    t = await startTestHub({ now, loadPlan: false });
    cli = cliOn({ DATABASE_URL: databaseUrl(t.databaseName) });
    await cli('plan', 'load', planPath);
  });
  afterAll(() => t.close());

  it('lists, rotates, revokes and expires tokens; the list never shows a token or its hash', async () => {
    const issued = await cli('token', 'issue', '--role', 'AGENCY', '--agency', 'HRSS', '--label', 'HRSS loans', '--expires', '90d');
    const token = lastLine(issued);
    // 90 days after 2023-07-01 10:00 is 2023-09-29 10:00
    expect(issued.split('\n')[0]).toMatch(/^token (\d+) \(AGENCY HRSS "HRSS loans", expires 2023-09-29 10:00\) issued/);
    const id = /^token (\d+)/.exec(issued)![1];
    expect((await t.gql(token, '{ me { label agency { code } } }')).data).toEqual({
      me: { label: 'HRSS loans', agency: { code: 'HRSS' } },
    });

    const listed = await cli('token', 'list');
    expect(listed.split('\n')[0].split(/\s{2,}/)).toEqual([
      'id',
      'role',
      'agency',
      'status',
      'created',
      'last used',
      'expires',
      'revoked',
      'label',
    ]);
    const row = listed.split('\n').find((line) => line.startsWith(`${id} `))!;
    expect(row.split(/\s{2,}/)).toEqual([
      id,
      'AGENCY',
      'HRSS',
      'active',
      '2023-07-01 10:00',
      '2023-07-01 10:00',
      '2023-09-29 10:00',
      '-',
      'HRSS loans',
    ]);
    expect(listed).not.toContain(token.slice(4, 14));
    expect(listed).not.toContain(hashToken(token).slice(0, 12));

    // the replacement keeps role, agency, label and the 90-day lifetime; the old token stops at once
    const rotated = await cli('token', 'rotate', id);
    const replacement = lastLine(rotated);
    expect(replacement).toMatch(/^lph_[A-Za-z0-9_-]{43}$/);
    expect(rotated.split('\n')[0]).toMatch(
      new RegExp(
        `^token ${id} \\(AGENCY HRSS "HRSS loans".*\\) revoked; its replacement token (\\d+) \\(AGENCY HRSS "HRSS loans", expires 2023-09-29 10:00\\)`,
      ),
    );
    const old = await t.gql(token, '{ me { role } }');
    expect([old.status, old.errors![0].extensions!.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await t.gql(replacement, '{ me { label agency { code } } }')).data).toEqual({
      me: { label: 'HRSS loans', agency: { code: 'HRSS' } },
    });

    const replacementId = /replacement token (\d+)/.exec(rotated)![1];
    expect(await cli('token', 'revoke', replacementId)).toMatch(
      new RegExp(`^token ${replacementId} \\(AGENCY HRSS "HRSS loans".*\\) revoked$`),
    );
    expect((await t.gql(replacement, '{ me { role } }')).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const after = (await cli('token', 'list')).split('\n');
    expect(after.find((line) => line.startsWith(`${id} `))).toMatch(/ revoked {2}.* 2023-07-01 10:00 {2}HRSS loans$/);
    await expect(cli('token', 'revoke', '99999')).rejects.toMatchObject({ code: 1, stderr: 'token 99999 not found\n' });
    await expect(cli('token', 'issue', '--role', 'BI', '--expires', 'tomorrow')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^expires: "tomorrow" is neither a duration/),
    });
  }, 60_000);
});

describe('tokens over GraphQL (OFFICE)', () => {
  let t: TestHub;
  let office: string;
  beforeAll(async () => {
    t = await startTestHub({ now });
    office = await t.token('OFFICE');
  });
  afterAll(() => t.close());

  const issue = `mutation ($role: Role!, $agencyCode: String, $label: String, $expires: String) {
    issueToken(role: $role, agencyCode: $agencyCode, label: $label, expires: $expires) { token apiToken { ${tokenFields} } } }`;

  it('issues, lists, rotates and revokes; only OFFICE may', async () => {
    const issued = await t.gql(office, issue, { role: 'BI', label: 'Superset', expires: '2023-12-31' });
    expect(issued.errors).toBeUndefined();
    const { token, apiToken } = issued.data!.issueToken;
    expect(apiToken).toMatchObject({
      label: 'Superset',
      role: 'BI',
      agency: null,
      createdAt: '2023-07-01T10:00:00.000+08:00',
      lastUsedAt: null,
      // a date: the token works through that day in the hub's time zone
      expiresAt: '2023-12-31T23:59:59.999+08:00',
      revokedAt: null,
      active: true,
    });
    expect((await t.gql(token, '{ me { role label } }')).data).toEqual({ me: { role: 'BI', label: 'Superset' } });

    const listed = await t.gql(office, `{ apiTokens { ${tokenFields} } }`);
    expect(listed.data!.apiTokens.find((row: { id: string }) => row.id === apiToken.id)).toMatchObject({
      label: 'Superset',
      lastUsedAt: '2023-07-01T10:00:00.000+08:00',
    });
    expect(JSON.stringify(listed)).not.toContain(token);

    const rotated = await t.gql(office, `mutation ($id: ID!) { rotateToken(id: $id) { token apiToken { ${tokenFields} } } }`, {
      id: apiToken.id,
    });
    expect(rotated.data!.rotateToken.apiToken).toMatchObject({ label: 'Superset', role: 'BI', active: true });
    expect((await t.gql(token, '{ me { role } }')).status).toBe(401);
    const replacement = rotated.data!.rotateToken.token as string;
    expect((await t.gql(replacement, '{ me { label } }')).data).toEqual({ me: { label: 'Superset' } });

    const revoked = await t.gql(office, `mutation ($id: ID!) { revokeToken(id: $id) { ${tokenFields} } }`, {
      id: rotated.data!.rotateToken.apiToken.id,
    });
    expect(revoked.data!.revokeToken).toMatchObject({ revokedAt: '2023-07-01T10:00:00.000+08:00', active: false });
    expect((await t.gql(replacement, '{ me { role } }')).errors![0].extensions!.code).toBe('UNAUTHENTICATED');

    for (const role of [['AGENCY', 'HRSS'], ['BI']] as const) {
      const other = await t.token(role[0], role[1]);
      expect((await t.gql(other, '{ apiTokens { id } }')).errors![0].extensions!.code).toBe('FORBIDDEN');
      expect((await t.gql(other, issue, { role: 'OFFICE' })).errors![0].extensions!.code).toBe('FORBIDDEN');
    }
  });

  it('refuses an expiry that is unreadable or past, and ids that are not tokens', async () => {
    for (const [expires, message] of [
      ['soon', /is neither a duration/],
      ['2023-06-30', /must be in the future/],
      ['2023-02-30', /not a real date/],
      ['0d', /must be in the future/],
    ] as const) {
      const response = await t.gql(office, issue, { role: 'BI', expires });
      expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expires' });
      expect(response.errors![0].message).toMatch(message);
    }
    const revoke = 'mutation ($id: ID!) { revokeToken(id: $id) { id } }';
    expect((await t.gql(office, revoke, { id: 'abc' })).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect((await t.gql(office, revoke, { id: '99999' })).errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });

  it('refuses a token once it has expired', async () => {
    const { token } = (await t.gql(office, issue, { role: 'BI', expires: '2h' })).data!.issueToken;
    try {
      t.clock.advance(119 * 60_000);
      expect((await t.gql(token, '{ me { role } }')).status).toBe(200);
      t.clock.advance(60_000);
      const refused = await t.gql(token, '{ me { role } }');
      expect([refused.status, refused.errors![0].extensions!.code]).toEqual([401, 'UNAUTHENTICATED']);
    } finally {
      t.clock.set(now);
    }
  });

  it('records the last use at most once a minute', async () => {
    const { token, apiToken } = (await t.gql(office, issue, { role: 'BI', label: 'busy' })).data!.issueToken;
    const lastUsed = async () =>
      (
        await queryRows<{ at: string }>(t.hub.db, sql`select last_used_at::text as at from api_clients where id = ${Number(apiToken.id)}`)
      )[0].at;
    const writes = () => t.hub.database.counter.statements.filter((s) => /^update "api_clients" set "last_used_at"/.test(s)).length;
    try {
      t.hub.database.counter.reset();
      for (let i = 0; i < 5; i += 1) await t.gql(token, '{ me { role } }');
      expect(writes()).toBe(1);
      expect(await lastUsed()).toBe('2023-07-01 02:00:00+00');
      t.clock.advance(59_000);
      await t.gql(token, '{ me { role } }');
      expect(writes()).toBe(1);
      t.clock.advance(1_000);
      await t.gql(token, '{ me { role } }');
      expect(writes()).toBe(2);
      expect(await lastUsed()).toBe('2023-07-01 02:01:00+00');
    } finally {
      t.clock.set(now);
    }
  });
});

describe('the audit log', () => {
  let t: TestHub;
  let office: string;
  let officeId: number;
  beforeAll(async () => {
    t = await startTestHub({ now, loadPlan: false });
    await cliOn({ DATABASE_URL: databaseUrl(t.databaseName) })('plan', 'load', planPath);
    office = await t.token('OFFICE');
    officeId = (await queryRows<{ id: number }>(t.hub.db, sql`select id from api_clients where token_hash = ${hashToken(office)}`))[0].id;
  });
  afterAll(() => t.close());

  const auditLog = `query ($first: Int, $after: String) {
    auditLog(first: $first, after: $after) { edges { cursor node { id at actor actorTokenId action target details } } pageInfo { hasNextPage endCursor } } }`;

  it('records who changed feeds, webhooks, tokens, plans and queued jobs, and when; OFFICE reads it newest first', async () => {
    const feed = await t.gql(office, 'mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }', {
      input: {
        agencyCode: 'HRSS',
        name: 'HRSS loans',
        url: 'http://10.20.30.40/hrss/loans',
        format: 'JSON',
        recordsPath: 'items',
        schedule: '0 2 * * *',
        authHeader: { name: 'Authorization', value: 'Bearer feed-secret-0001' },
        mapping: loanMapping,
      },
    });
    expect(feed.errors).toBeUndefined();
    const feedId = feed.data!.upsertFeed.id as string;
    t.clock.advance(60_000);
    await t.gql(
      office,
      'mutation { configureWebhook(agencyCode: "HRSS", url: "http://10.20.30.40/hook", secret: "hook-secret-000000001") { url } }',
    );
    t.clock.advance(60_000);
    const issued = await t.gql(
      office,
      'mutation { issueToken(role: AGENCY, agencyCode: "CIVIL", label: "civil") { token apiToken { id } } }',
    );
    const civilId = issued.data!.issueToken.apiToken.id as string;
    const rotated = await t.gql(office, `mutation { rotateToken(id: ${civilId}) { apiToken { id } } }`);
    const replacementId = rotated.data!.rotateToken.apiToken.id as string;
    await t.gql(office, `mutation { revokeToken(id: ${replacementId}) { id } }`);

    // a job removed through Bull Board
    await t.hub.jobs.connect();
    await runtimeOf(t.hub).queue(QueueName.Webhook).add(QueueName.Webhook, { notificationId: 1 }, { jobId: 'stray-1', delay: 3_600_000 });
    const removed = await fetch(`${t.url}/admin/queues/api/queues/webhook/stray-1/clean`, {
      method: 'PUT',
      headers: { cookie: `hub_token=${office}` },
    });
    expect(removed.status).toBe(204);
    expect(await runtimeOf(t.hub).queue(QueueName.Webhook).getJob('stray-1')).toBeUndefined();
    // reading the board changes nothing and is not recorded
    expect((await fetch(`${t.url}/admin/queues/api/queues`, { headers: { cookie: `hub_token=${office}` } })).status).toBe(200);

    // the queue change is recorded as its answer finishes
    for (let i = 0; i < 50; i += 1) {
      const [found] = await queryRows(t.hub.db, sql`select 1 from audit_log where action = 'queue.job.clean'`);
      if (found) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const entries: any[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResponse<any> = await t.gql(office, auditLog, { first: 3, after });
      expect(page.errors).toBeUndefined();
      entries.push(...page.data!.auditLog.edges.map((e: { node: unknown }) => e.node));
      if (!page.data!.auditLog.pageInfo.hasNextPage) break;
      after = page.data!.auditLog.pageInfo.endCursor;
    }
    const me = `token ${officeId} (OFFICE)`;
    expect(entries.map((e: any) => [e.action, e.target, e.actor, e.at])).toEqual([
      ['queue.job.clean', 'queue webhook job stray-1', me, '2023-07-01T10:02:00.000+08:00'],
      ['token.revoke', `token ${replacementId}`, me, '2023-07-01T10:02:00.000+08:00'],
      ['token.rotate', `token ${civilId}`, me, '2023-07-01T10:02:00.000+08:00'],
      ['token.issue', `token ${civilId}`, me, '2023-07-01T10:02:00.000+08:00'],
      ['webhook.configure', 'webhook of HRSS', me, '2023-07-01T10:01:00.000+08:00'],
      ['feed.create', `feed ${feedId}`, me, '2023-07-01T10:00:00.000+08:00'],
      // the test's own OFFICE token, issued by the hub's fixture
      ['token.issue', `token ${officeId}`, 'hub', '2023-07-01T10:00:00.000+08:00'],
      ['plan.load', 'plan shangrao-2023', expect.stringMatching(/^cli \(.+\)$/), '2023-07-01T10:00:00.000+08:00'],
    ]);
    expect(entries[0].details).toEqual({ method: 'PUT', path: '/admin/queues/api/queues/webhook/stray-1/clean', status: 204 });
    expect(entries[0].actorTokenId).toBe(String(officeId));
    expect(entries[2].details).toMatchObject({ replacement: Number(replacementId) });
    expect(entries[3].details).toMatchObject({ role: 'AGENCY', agencyCode: 'CIVIL', label: 'civil' });
    expect(entries[4].details).toEqual({ url: 'http://10.20.30.40/hook', secret: 'given' });
    expect(entries[5].details).toMatchObject({ name: 'HRSS loans', agencyCode: 'HRSS', authHeader: 'set' });
    expect(entries[7].details).toMatchObject({ outcome: 'created', projects: 10, indicators: 39 });
    // no secret and no token ever reaches the log
    const text = JSON.stringify(entries);
    for (const secret of ['feed-secret-0001', 'hook-secret-000000001', issued.data!.issueToken.token, office])
      expect(text).not.toContain(secret);

    const agency = await t.token('AGENCY', 'HRSS');
    expect((await t.gql(agency, auditLog, {})).errors![0].extensions!.code).toBe('FORBIDDEN');
    t.clock.set(now);
  });
});

describe('tokens through a running embedded hub (the admin socket)', () => {
  it('lists, issues, rotates and revokes through the hub that holds the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-tokens-'));
    const clock = new ManualClock(now);
    const config = loadConfig({ HUB_DATA_DIR: dataDir, LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1' });
    const hub = await createHub(config, { clock, logger: pino({ level: 'silent' }) });
    const socket = await listenAdminSocket(hub);
    const cli = cliOn({ HUB_DATA_DIR: dataDir, DATABASE_URL: '' });
    try {
      await loadPlanFile(hub.db, planPath, clock);
      const issued = await cli('token', 'issue', '--role', 'OFFICE', '--label', 'ops', '--expires', '2w');
      expect(issued.split('\n')[0]).toMatch(/^token 1 \(OFFICE "ops", expires 2023-07-15 10:00\) issued/);
      const listed = await cli('token', 'list');
      expect(listed.split('\n')[1].split(/\s{2,}/)).toEqual([
        '1',
        'OFFICE',
        '-',
        'active',
        '2023-07-01 10:00',
        '-',
        '2023-07-15 10:00',
        '-',
        'ops',
      ]);
      expect(listed).not.toContain(lastLine(issued));

      const rotated = await cli('token', 'rotate', '1');
      expect(rotated.split('\n')[0]).toMatch(
        /^token 1 \(OFFICE "ops", .*\) revoked; its replacement token 2 \(OFFICE "ops", expires 2023-07-15 10:00\)/,
      );
      expect(await cli('token', 'revoke', '2')).toMatch(/^token 2 \(OFFICE "ops".*\) revoked$/);
      expect(await cli('token', 'revoke', '2')).toMatch(/^token 2 .* was already revoked on 2023-07-01 10:00$/);
      const rows = await queryRows<{ id: number; revoked: boolean }>(
        hub.db,
        sql`select id, revoked_at is not null as revoked from api_clients order by id`,
      );
      expect(rows).toEqual([
        { id: 1, revoked: true },
        { id: 2, revoked: true },
      ]);
      const audited = await queryRows<{ action: string; actor: string }>(hub.db, sql`select action, actor from audit_log order by id`);
      expect(audited.map((a) => a.action)).toEqual(['plan.load', 'token.issue', 'token.rotate', 'token.revoke']);
      expect(audited[1].actor).toMatch(/^cli \(.+\)$/);
      await expect(cli('plan', 'load', '/dev/zero')).rejects.toMatchObject({
        code: 1,
        stderr: 'plan /dev/zero was refused: larger than 1 MB: not a plan file\n',
      });
    } finally {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
