import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/database.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, revokeToken } from '../src/auth/auth.service.js';
import { startTestHub, type TestHub } from './support/hub.js';

describe('tokens and roles', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  it('refuses a request with no token, a malformed header, or an unknown token', async () => {
    for (const token of [undefined, 'lph_not-a-real-token', 'not even the format']) {
      const response = await t.gql(token, '{ plans { code } }');
      expect(response.status).toBe(401);
      expect(response.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      expect(response.data).toBeUndefined();
    }
  });

  it('tells each principal who it is', async () => {
    const agency = await t.token('AGENCY', 'HRSS');
    const office = await t.token('OFFICE');
    const bi = await t.token('BI');
    expect((await t.gql(agency, '{ me { role agency { code name } } }')).data!.me).toEqual({
      role: 'AGENCY',
      agency: { code: 'HRSS', name: '市人社局' },
    });
    expect((await t.gql(office, '{ me { role agency { code } } }')).data!.me).toEqual({ role: 'OFFICE', agency: null });
    expect((await t.gql(bi, '{ me { role agency { code } } }')).data!.me).toEqual({ role: 'BI', agency: null });
  });

  it('stores only a hash of each token', async () => {
    const token = await t.token('BI');
    const rows = await queryRows(t.hub.db, sql`select token_hash from api_clients`);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(token);
    expect(stored).toContain(hashToken(token));
  });

  it('refuses a revoked token', async () => {
    const token = await t.token('BI');
    expect((await t.gql(token, '{ me { role } }')).status).toBe(200);
    const rows = await queryRows(t.hub.db, sql`select id from api_clients where token_hash = ${hashToken(token)}`);
    await revokeToken(t.hub.db, (rows[0] as { id: number }).id, t.clock);
    const after = await t.gql(token, '{ me { role } }');
    expect(after.status).toBe(401);
    expect(after.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('an AGENCY token needs a known agency; BI and OFFICE tokens take none', async () => {
    await expect(t.token('AGENCY')).rejects.toThrow(/needs --agency/);
    await expect(t.token('AGENCY', 'NOPE')).rejects.toThrow(/agency NOPE not found/);
    await expect(t.token('BI', 'HRSS')).rejects.toThrow(/belongs to no agency/);
  });

  it('health checks need no token', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
