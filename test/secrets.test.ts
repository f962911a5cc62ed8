import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../src/app.js';
import { secureStoredSecrets } from '../src/auth/secrets.js';
import { loadConfig } from '../src/config/config.js';
import { queryRows } from '../src/db/database.js';
import { SecretBox } from '../src/shared/secret-box.js';
import { loanMapping } from './support/feeds.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { adminUrl, databaseUrl } from './support/urls.js';

const run = promisify(execFile);
const key = randomBytes(32);
const otherKey = randomBytes(32);

/** A bureau endpoint and a webhook receiver in one: it remembers what reached it. */
async function receiver() {
  const requests: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    requests,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const stored = async (t: TestHub) => ({
  webhook: (await queryRows<{ v: string }>(t.hub.db, sql`select webhook_secret as v from agencies where code = 'HRSS'`))[0].v,
  header: (await queryRows<{ v: string }>(t.hub.db, sql`select auth_header_value as v from feeds order by id limit 1`))[0]?.v,
});

/** One notification to HRSS, delivered straight through the service (no queue). */
async function deliverOne(hub: Hub, n: number): Promise<{ status: string; error: string | null }> {
  const [{ id }] = await queryRows<{ id: number }>(
    hub.db,
    sql`insert into notifications (dedupe_key, agency_id, plan_id, round_id, kind, title, body, payload, scheduled_for, created_at, delivery_status)
        select ${`secret-test-${n}`}, a.id, r.plan_id, r.id, 'REMINDER_7D', 'title', 'body', '{}'::jsonb, now(), now(), 'PENDING'
        from agencies a, reporting_rounds r where a.code = 'HRSS' order by r.id limit 1 returning id`,
  );
  await hub.reminders.deliver(id, 1, true).catch(() => undefined);
  const [row] = await queryRows<{ status: string; error: string | null }>(
    hub.db,
    sql`select delivery_status as status, delivery_error as error from notifications where id = ${id}`,
  );
  return row;
}

const signature = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('secrets at rest', () => {
  let t: TestHub;
  let office: string;
  let bureau: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    t = await startTestHub({ env: { HUB_SECRET_KEY: key.toString('base64') } });
    office = await t.token('OFFICE');
    bureau = await receiver();
  });
  afterAll(async () => {
    await bureau.close();
    await t.close();
  });

  it('keeps webhook secrets and feed auth headers encrypted, and uses them as written', async () => {
    const webhookSecret = 'hrss-webhook-secret-0001';
    await t.gql(
      office,
      'mutation ($url: String, $secret: String) { configureWebhook(agencyCode: "HRSS", url: $url, secret: $secret) { url } }',
      {
        url: `${bureau.url}/hook`,
        secret: webhookSecret,
      },
    );
    const feed = await t.gql(office, 'mutation ($input: FeedInput!) { upsertFeed(input: $input) { id hasAuthHeader } }', {
      input: {
        agencyCode: 'HRSS',
        name: 'HRSS loans',
        url: `${bureau.url}/loans`,
        format: 'JSON',
        recordsPath: 'items',
        schedule: '0 2 * * *',
        authHeader: { name: 'Authorization', value: 'Bearer feed-secret-0001' },
        mapping: loanMapping,
      },
    });
    expect(feed.errors).toBeUndefined();

    const { webhook, header } = await stored(t);
    expect(webhook).toMatch(/^enc:v1:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(header).toMatch(/^enc:v1:/);
    expect(`${webhook} ${header}`).not.toMatch(/hrss-webhook-secret|feed-secret/);

    // the bureau gets the header as written, the webhook a signature made with the secret as written
    const pulled = await t.hub.feeds.pull(Number(feed.data!.upsertFeed.id), 'secret-test-pull', 'MANUAL', 1, true);
    expect(pulled.status).toBe('SUCCEEDED');
    expect(bureau.requests.find((r) => r.path.startsWith('/loans'))!.headers.authorization).toBe('Bearer feed-secret-0001');
    expect(await deliverOne(t.hub, 1)).toEqual({ status: 'DELIVERED', error: null });
    const delivery = bureau.requests.find((r) => r.path === '/hook')!;
    expect(delivery.headers['x-hub-signature-256']).toBe(signature(webhookSecret, delivery.body));
  });

  it('encrypts values stored in plain text before, at the next start with a key; a wrong key or none cannot use them', async () => {
    // as a hub without HUB_SECRET_KEY stored them
    await t.hub.db.execute(sql`update agencies set webhook_secret = 'plain-secret-00000001' where code = 'HRSS'`);
    await t.hub.db.execute(sql`update feeds set auth_header_value = 'Bearer plain-feed'`);
    const keyless = await createHub(
      { ...t.hub.config, secretKey: undefined },
      { clock: t.clock, database: t.hub.database, logger: pino({ level: 'silent' }) },
    );
    const wrong = await createHub(
      { ...t.hub.config, secretKey: otherKey },
      { clock: t.clock, database: t.hub.database, logger: pino({ level: 'silent' }) },
    );
    try {
      // plaintext is read as it is, before anything is migrated
      expect(await deliverOne(t.hub, 2)).toEqual({ status: 'DELIVERED', error: null });
      const plainDelivery = bureau.requests.filter((r) => r.path === '/hook').pop()!;
      expect(plainDelivery.headers['x-hub-signature-256']).toBe(signature('plain-secret-00000001', plainDelivery.body));

      // a development hub without a key starts (and says so); a production one would refuse
      expect(await secureStoredSecrets(keyless)).toEqual({ sealed: 0, plain: 2, encrypted: 0 });
      expect(await secureStoredSecrets(t.hub)).toEqual({ sealed: 2, plain: 0, encrypted: 2 });
      expect(await secureStoredSecrets(t.hub)).toEqual({ sealed: 0, plain: 0, encrypted: 2 });
      const { webhook, header } = await stored(t);
      expect(webhook).toMatch(/^enc:v1:/);
      expect(header).toMatch(/^enc:v1:/);
      expect(new SecretBox(key).open(webhook, 'agencies.webhook_secret')).toBe('plain-secret-00000001');
      expect(new SecretBox(key).open(header, 'feeds.auth_header_value')).toBe('Bearer plain-feed');

      await expect(secureStoredSecrets(wrong)).rejects.toThrow(
        'a stored agencies.webhook_secret does not open with HUB_SECRET_KEY (was the key changed?)',
      );
      await expect(secureStoredSecrets({ ...keyless, config: { ...keyless.config, env: 'production' } })).rejects.toThrow(
        /^HUB_SECRET_KEY is not set and 2 webhook secret\(s\) or feed auth header\(s\) are stored/,
      );
      // a hub that cannot open a secret fails that delivery with the reason, and sends nothing unsigned
      expect(await deliverOne(keyless, 3)).toEqual({
        status: 'FAILED',
        error: 'a stored agencies.webhook_secret is encrypted and HUB_SECRET_KEY is not set',
      });
    } finally {
      await keyless.close();
      await wrong.close();
    }
  });

  it('a sealed value is bound to its column and to its key; the same secret never seals the same twice', () => {
    const box = new SecretBox(key);
    const a = box.seal('same', 'agencies.webhook_secret');
    expect(box.seal('same', 'agencies.webhook_secret')).not.toBe(a);
    expect(() => box.open(a, 'feeds.auth_header_value')).toThrow(/does not open/);
    expect(() => new SecretBox(otherKey).open(a, 'agencies.webhook_secret')).toThrow(/does not open/);
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(tampered, 'agencies.webhook_secret')).toThrow(/does not open/);
  });

  it('HUB_SECRET_KEY is 32 bytes, in hex or base64', () => {
    expect(loadConfig({ HUB_SECRET_KEY: key.toString('hex') }).secretKey).toEqual(key);
    expect(loadConfig({ HUB_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(key);
    for (const bad of ['secret', randomBytes(16).toString('base64'), randomBytes(33).toString('hex')]) {
      expect(() => loadConfig({ HUB_SECRET_KEY: bad })).toThrow(
        'invalid environment: HUB_SECRET_KEY: must be 32 bytes: 64 hex digits, or base64 (openssl rand -base64 32)',
      );
    }
  });

  it('refuses a feed URL that carries a user name or password', async () => {
    const response = await t.gql(office, 'mutation ($input: FeedInput!) { upsertFeed(input: $input) { id } }', {
      input: {
        agencyCode: 'HRSS',
        name: 'HRSS with a password',
        url: 'http://hrss:s3cret@10.20.30.40/loans',
        format: 'JSON',
        recordsPath: 'items',
        schedule: '0 2 * * *',
        mapping: loanMapping,
      },
    });
    expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    expect(response.errors![0].message).toMatch(/no user name or password/);
  });
});

describe('starting in production', () => {
  it('refuses to start without HUB_SECRET_KEY when secrets are stored, in one line', async () => {
    const t = await startTestHub();
    try {
      await t.hub.db.execute(sql`update agencies set webhook_secret = 'plain-secret-00000001' where code = 'HRSS'`);
      const start = (env: Record<string, string>) =>
        run('node_modules/.bin/tsx', ['src/main.ts', 'api'], {
          timeout: 30_000,
          env: {
            ...process.env,
            NODE_ENV: 'production',
            DATABASE_URL: databaseUrl(t.databaseName),
            REDIS_URL: 'redis://127.0.0.1:1',
            PORT: '0',
            HOST: '127.0.0.1',
            HUB_SECRET_KEY: '',
            ...env,
          },
        });
      await expect(start({})).rejects.toMatchObject({
        code: 1,
        stderr:
          'HUB_SECRET_KEY is not set and 1 webhook secret(s) or feed auth header(s) are stored: set it (openssl rand -base64 32) before starting in production\n',
      });
      await expect(start({ HUB_SECRET_KEY: 'not-a-key' })).rejects.toMatchObject({
        code: 1,
        stderr: 'invalid environment: HUB_SECRET_KEY: must be 32 bytes: 64 hex digits, or base64 (openssl rand -base64 32)\n',
      });
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('bi grant', () => {
  let t: TestHub;
  const role = `hub_bi_${randomBytes(4).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: adminUrl() });
  beforeAll(async () => {
    t = await startTestHub();
    const client = admin();
    await client.connect();
    await client.query(`create role ${role} login`);
    await client.end();
  });
  afterAll(async () => {
    await t.close();
    const client = admin();
    await client.connect();
    await client.query(`drop role if exists ${role}`);
    await client.end();
  });

  /** A connection as the BI role; answers the rows or the error code (42501: permission denied). */
  async function asRole(query: string): Promise<{ rows?: unknown[]; code?: string }> {
    const url = new URL(databaseUrl(t.databaseName));
    url.username = role;
    url.password = '';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return { rows: (await client.query(query)).rows };
    } catch (error) {
      return { code: (error as { code: string }).code };
    } finally {
      await client.end();
    }
  }

  it('lets a role read the bi views and functions and nothing else', async () => {
    const progress = "select * from bi.indicator_progress_at('shangrao-2023', '2023-07-01')";
    expect(await asRole(progress)).toEqual({ code: '42501' });

    const { stdout } = await run('node_modules/.bin/tsx', ['src/cli.ts', 'bi', 'grant', role], {
      env: { ...process.env, DATABASE_URL: databaseUrl(t.databaseName), LOG_LEVEL: 'silent' },
    });
    expect(stdout.trim()).toBe(`role ${role} may now read the 4 bi views and call the 3 bi functions (and no table of the hub)`);

    // 39 indicators × (全市 + 16 reporting units)
    expect((await asRole(progress)).rows).toHaveLength(39 * 17);
    expect((await asRole("select * from bi.plan_progress_at('shangrao-2023', '2023-07-01')")).rows).toEqual([
      expect.objectContaining({ plan_code: 'shangrao-2023', status: 'NO_DATA' }),
    ]);
    expect((await asRole("select * from bi.project_progress_at('shangrao-2023', '2023-07-01')")).rows).toHaveLength(10);
    for (const view of ['indicator_progress', 'project_progress', 'plan_progress', 'observations_daily']) {
      expect(await asRole(`select count(*) from bi.${view}`), view).toHaveProperty('rows');
    }
    for (const table of ['agencies', 'feeds', 'api_clients', 'audit_log', 'observations', 'plans']) {
      expect(await asRole(`select * from ${table} limit 1`), table).toEqual({ code: '42501' });
    }
    const [audited] = await queryRows<{ action: string; target: string }>(
      t.hub.db,
      sql`select action, target from audit_log where action = 'bi.grant'`,
    );
    expect(audited).toEqual({ action: 'bi.grant', target: `role ${role}` });

    await expect(
      run('node_modules/.bin/tsx', ['src/cli.ts', 'bi', 'grant', 'no_such_role'], {
        env: { ...process.env, DATABASE_URL: databaseUrl(t.databaseName), LOG_LEVEL: 'silent' },
      }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^role no_such_role does not exist: create it first/) });
  }, 60_000);

  it('describes every bi view, column and function', async () => {
    const missing = await queryRows<{ object: string }>(
      t.hub.db,
      sql`select c.relname || coalesce('.' || a.attname, '') as object
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
          where n.nspname = 'bi' and (obj_description(c.oid, 'pg_class') is null or (a.attnum is not null and col_description(c.oid, a.attnum) is null))
          union all
          select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'bi' and obj_description(p.oid, 'pg_proc') is null`,
    );
    expect(missing).toEqual([]);
    const described = await queryRows<{ n: number }>(
      t.hub.db,
      sql`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'bi' and c.relkind = 'v'`,
    );
    expect(described[0].n).toBe(4);
  });
});
