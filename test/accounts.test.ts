import { execFile } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginLimits } from '../src/auth/users.service.js';
import { queryRows } from '../src/db/database.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { databaseUrl } from './support/urls.js';

// People's accounts (issue 12): the CLI adds them, they log in with a name and password, get an
// HttpOnly session cookie that acts with their role, and the office can disable them. Failed logins
// are limited per name and per address (HUB_TRUST_PROXY lets a test speak from several addresses).

const password = 'correct horse battery';

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

describe("people's accounts", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ env: { HUB_TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t.close());

  /** the CLI on the test's database, with `input` on its stdin */
  const cli = (input: string, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        'node_modules/.bin/tsx',
        ['src/cli.ts', ...args],
        { env: { ...process.env, DATABASE_URL: databaseUrl(t.databaseName), LOG_LEVEL: 'silent' } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
      child.stdin!.end(input);
    });

  const login = async (name: string, pass: string, from = '10.0.0.1'): Promise<Reply> => {
    const response = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ name, password: pass }),
    });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  /** the cookie pair a browser would send back */
  const cookieOf = (reply: Reply) => reply.headers.get('set-cookie')!.split(';')[0];
  const gqlWithCookie = async (cookie: string, query: string) => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.json() };
  };

  it('adds people from the CLI with the password on stdin, never as an argument, and lists them without hashes', async () => {
    const added = await cli(`${password}\n`, 'user', 'add', '--name', 'zhang.wei', '--role', 'office');
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('user zhang.wei (OFFICE) added') });
    expect((await cli(`${password}\n`, 'user', 'add', '--name', 'li.na', '--role', 'BI')).code).toBe(0);

    // one at a time would be six starts of the CLI in a row
    const replies = await Promise.all([
      cli(`${password}\n`, 'user', 'add', '--name', 'wang', '--role', 'AGENCY'),
      cli('short\n', 'user', 'add', '--name', 'wang', '--role', 'BI'),
      cli(`${password}\n`, 'user', 'add', '--name', 'zhang.wei', '--role', 'BI'),
      cli(`${password}\n`, 'user', 'add', '--name', 'has space', '--role', 'BI'),
      cli('', 'user', 'add', '--name', 'wang', '--role', 'BI'),
      cli(`${password}\n`, 'user', 'add', '--role', 'BI'),
    ]);
    const expected = [
      [2, '--role must be OFFICE or BI'],
      [1, 'password: must be a password of 10 to 200 characters'],
      [1, 'user zhang.wei exists already'],
      [1, 'name: must be 2 to 64 letters'],
      [2, 'no password on stdin'],
      [2, 'user add needs --name NAME'],
    ] as const;
    for (const [i, [code, message]] of expected.entries()) {
      expect(replies[i].code).toBe(code);
      expect(replies[i].stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    }

    const listed = await cli('', 'user', 'list');
    expect(listed.stdout).toMatch(/^id\s+name\s+role\s+status/);
    expect(listed.stdout).toMatch(/zhang\.wei\s+OFFICE\s+active/);
    expect(listed.stdout).toMatch(/li\.na\s+BI\s+active/);
    expect(listed.stdout).not.toContain('wang');

    const stored = {
      rows: await queryRows<{ name: string; password_hash: string }>(t.hub.db, sql`select name, password_hash from users order by id`),
    };
    expect(stored.rows.map((r) => r.name)).toEqual(['zhang.wei', 'li.na']);
    for (const row of stored.rows) {
      expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(row.password_hash).not.toContain(password);
    }
    // two people with the same password have different hashes (salted)
    expect(stored.rows[0].password_hash).not.toBe(stored.rows[1].password_hash);
    const audit = await queryRows<{ action: string; target: string }>(
      t.hub.db,
      sql`select action, target from audit_log where action like 'user.%'`,
    );
    expect(audit).toEqual([
      { action: 'user.add', target: 'user zhang.wei' },
      { action: 'user.add', target: 'user li.na' },
    ]);
  }, 60_000);

  it('logs a person in with an HttpOnly, SameSite=Strict, expiring cookie that acts with their role', async () => {
    const reply = await login('zhang.wei', password);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ name: 'zhang.wei', role: 'OFFICE', expiresAt: '2023-07-01T10:00:00.000Z' });
    const cookie = reply.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^hub_session=lps_[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(reply.headers.get('cache-control')).toBe('no-store');

    const me = await gqlWithCookie(cookieOf(reply), '{ me { role label userName agency { code } } users { name role disabledAt } }');
    expect(me.body.data).toEqual({
      me: { role: 'OFFICE', label: 'zhang.wei', userName: 'zhang.wei', agency: null },
      users: [
        { name: 'zhang.wei', role: 'OFFICE', disabledAt: null },
        { name: 'li.na', role: 'BI', disabledAt: null },
      ],
    });
    // the plain routes take the session too: the ledger downloads
    const ledger = await fetch(`${t.url}/export/ledger.csv`, { headers: { cookie: cookieOf(reply) } });
    expect(ledger.status).toBe(200);

    // a BI person reads but may not manage
    const bi = await login('li.na', password);
    const denied = await gqlWithCookie(cookieOf(bi), '{ users { name } }');
    expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gqlWithCookie(cookieOf(bi), '{ me { role userName } }')).body.data).toEqual({ me: { role: 'BI', userName: 'li.na' } });

    // 8 hours later by the hub's clock the cookie is worth nothing
    t.clock.advance(8 * 3_600_000);
    const expired = await gqlWithCookie(cookieOf(reply), '{ me { role } }');
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0]).toMatchObject({
      message: 'the session has ended: log in again',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    t.clock.advance(-8 * 3_600_000);
  }, 30_000);

  it('answers a wrong password and an unknown name alike, and logging out ends the session on the hub', async () => {
    const wrong = await login('zhang.wei', 'not the password', '10.0.0.2');
    const unknown = await login('nobody', password, '10.0.0.2');
    for (const reply of [wrong, unknown]) {
      expect(reply.status).toBe(401);
      expect(reply.body.errors[0]).toEqual({ message: 'the user name or the password is wrong', extensions: { code: 'UNAUTHENTICATED' } });
      expect(reply.headers.get('set-cookie')).toBeNull();
    }
    const missing = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'zhang.wei' }),
    });
    expect(missing.status).toBe(400);
    expect((await missing.json()).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
    // a form post from another site is not JSON: refused before anything is looked at
    const form = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `name=zhang.wei&password=${encodeURIComponent(password)}`,
    });
    expect(form.status).toBe(400);

    const session = await login('zhang.wei', password, '10.0.0.2');
    const out = await fetch(`${t.url}/auth/logout`, { method: 'POST', headers: { cookie: cookieOf(session) } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('hub_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect((await gqlWithCookie(cookieOf(session), '{ me { role } }')).status).toBe(401);
  }, 30_000);

  it('limits failed logins per name, and per address, before looking at the password', async () => {
    // five wrong passwords for one name from five addresses: the right one is refused too, from anywhere
    for (let i = 0; i < loginLimits.perName; i++) expect((await login('li.na', `wrong password ${i}`, `10.1.0.${i}`)).status).toBe(401);
    const limited = await login('li.na', password, '10.1.9.9');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe(String(loginLimits.windowMinutes * 60));
    expect(limited.body.errors[0]).toEqual({
      message: 'too many failed logins for this name: try again in 15 minutes',
      extensions: { code: 'TOO_MANY_REQUESTS' },
    });
    // others are not locked out by it
    expect((await login('zhang.wei', password, '10.1.9.9')).status).toBe(200);

    // twenty failures from one address over many names: that address is refused, another is not
    for (let i = 0; i < loginLimits.perAddress; i++) expect((await login(`guess${i}`, 'whatever else', '10.2.0.1')).status).toBe(401);
    const sprayed = await login('zhang.wei', password, '10.2.0.1');
    expect(sprayed.status).toBe(429);
    expect(sprayed.body.errors[0].message).toBe('too many failed logins from this address: try again in 15 minutes');
    expect((await login('zhang.wei', password, '10.2.0.2')).status).toBe(200);

    // a burst at once cannot outrun the count: each attempt is written before it is counted
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => login('wang.burst', `guess ${i}`, `10.4.0.${i}`)));
    expect(burst.filter((r) => r.status === 401).length).toBeLessThanOrEqual(loginLimits.perName);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(20 - loginLimits.perName);

    // the window passes: li.na may log in again
    t.clock.advance(loginLimits.windowMinutes * 60_000 + 1_000);
    expect((await login('li.na', password, '10.1.9.9')).status).toBe(200);
    t.clock.advance(-(loginLimits.windowMinutes * 60_000 + 1_000));
  }, 60_000);

  it('lets the office disable a person, whose open sessions end at once, from GraphQL and the CLI', async () => {
    const office = await login('zhang.wei', password, '10.3.0.1');
    const bi = await login('li.na', password, '10.3.0.1');
    const disabled = await gqlWithCookie(cookieOf(office), 'mutation { disableUser(name: "li.na") { name disabledAt } }');
    expect(disabled.body.data).toEqual({ disableUser: { name: 'li.na', disabledAt: '2023-07-01T10:00:00.000+08:00' } });
    expect((await gqlWithCookie(cookieOf(bi), '{ me { role } }')).status).toBe(401);
    const again = await login('li.na', password, '10.3.0.1');
    expect(again.status).toBe(403);
    expect(again.body.errors[0].message).toBe('this account is disabled: ask the office to enable it');
    // and the wrong password still answers as a wrong password: the state is shown only to who knows it
    expect((await login('li.na', 'not the password', '10.3.0.1')).status).toBe(401);

    expect((await gqlWithCookie(cookieOf(office), 'mutation { enableUser(name: "li.na") { disabledAt } }')).body.data).toEqual({
      enableUser: { disabledAt: null },
    });
    expect((await login('li.na', password, '10.3.0.1')).status).toBe(200);

    // the CLI: disabling ends the office person's own session too; a new password ends sessions as well
    const disabledByCli = await cli('', 'user', 'disable', '--name', 'zhang.wei');
    expect(disabledByCli.stdout.trim()).toBe('user zhang.wei disabled: they cannot log in, and their open sessions have ended');
    expect((await gqlWithCookie(cookieOf(office), '{ me { role } }')).status).toBe(401);
    expect((await cli('', 'user', 'disable', '--name', 'zhang.wei')).stdout).toMatch(
      /was already disabled on \d{4}-\d{2}-\d{2} \d{2}:\d{2}/,
    );
    expect((await cli('', 'user', 'enable', '--name', 'zhang.wei')).code).toBe(0);

    const before = await login('zhang.wei', password, '10.3.0.2');
    const changed = await cli('a new passphrase\n', 'user', 'password', '--name', 'zhang.wei');
    expect(changed.stdout.trim()).toBe('password of user zhang.wei changed; their open sessions have ended');
    expect((await gqlWithCookie(cookieOf(before), '{ me { role } }')).status).toBe(401);
    expect((await login('zhang.wei', password, '10.3.0.2')).status).toBe(401);
    expect((await login('zhang.wei', 'a new passphrase', '10.3.0.2')).status).toBe(200);
    expect((await cli('', 'user', 'disable', '--name', 'nobody')).stderr.trim()).toBe('user nobody not found');

    const audit = await queryRows<{ actor: string; action: string; target: string }>(
      t.hub.db,
      sql`select actor, action, target from audit_log where action in ('user.disable', 'user.enable') order by id limit 2`,
    );
    expect(audit).toEqual([
      { actor: 'user zhang.wei (OFFICE)', action: 'user.disable', target: 'user li.na' },
      { actor: 'user zhang.wei (OFFICE)', action: 'user.enable', target: 'user li.na' },
    ]);
  }, 60_000);
});
