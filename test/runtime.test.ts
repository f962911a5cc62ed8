import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { bullmqJobs } from '../jobs/runtime.js';
import { createHub } from '../src/app.js';
import { issueToken } from '../src/auth/auth.service.js';
import { loadConfig } from '../src/config/config.js';
import { migrationsFolder, openDatabase, queryRows } from '../src/db/database.js';
import { startHttpServer } from '../src/http/server.js';
import { loadShippedPlans } from '../src/plan/plan.files.js';
import { ManualClock } from '../src/shared/clock.js';
import { startTestHub } from './support/hub.js';
import { adminUrl, databaseUrl } from './support/urls.js';

describe('when Redis cannot be reached', () => {
  it('the API still serves, says once that jobs are paused, and /readyz says which is down', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const t = await startTestHub({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    // a hub of its own on the same database, with the capturing logger
    const hub = await createHub({ ...t.hub.config }, { clock: t.clock, database: t.hub.database, logger, jobs: bullmqJobs(t.hub.config) });
    const http = await startHttpServer(hub, 0, '127.0.0.1');
    try {
      expect(await hub.jobs.connect(500)).toBe(false);
      await new Promise((r) => setTimeout(r, 1_200)); // a few reconnect attempts
      expect(lines.filter((l) => l.includes('jobs are paused'))).toHaveLength(1);
      const ready = await fetch(`${http.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'degraded',
        database: { ok: true },
        redis: { ok: false, error: 'unreachable: jobs are paused' },
      });
      const { token } = await issueToken(hub.db, { role: 'BI' }, t.clock);
      const response = await fetch(`${http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ plan { code } }' }),
      });
      expect(await response.json()).toEqual({ data: { plan: { code: 'shangrao-2023' } } });
    } finally {
      await http.stop();
      await hub.close();
      await t.close();
    }
  });
});

describe('the embedded database (PGlite)', () => {
  it('migrates, loads the shipped plan and serves it, with data kept between runs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-pglite-'));
    const config = loadConfig({
      HUB_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      REDIS_URL: 'redis://127.0.0.1:1',
      HUB_NOW: '2023-07-01T10:00:00+08:00',
    });
    const clock = new ManualClock('2023-07-01T10:00:00+08:00');
    try {
      const first = await createHub(config, { clock });
      expect(first.database.driver).toBe('pglite');
      const [loaded] = await loadShippedPlans(first.db, config.plansDir, clock);
      expect(loaded).toMatchObject({ planCode: 'shangrao-2023', outcome: 'created', projects: 10, indicators: 39 });
      const { token } = await issueToken(first.db, { role: 'AGENCY', agencyCode: 'REDCROSS' }, clock);
      await first.close();

      const second = await createHub(config, { clock });
      expect((await loadShippedPlans(second.db, config.plansDir, clock))[0].outcome).toBe('unchanged');
      const http = await startHttpServer(second, 0, '127.0.0.1');
      const response = await fetch(`${http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { agency { code } } project(number: 10) { indicators { code target } } }' }),
      });
      expect(await response.json()).toEqual({
        data: {
          me: { agency: { code: 'REDCROSS' } },
          project: {
            indicators: [
              { code: '10.1', target: '86' },
              { code: '10.2', target: null },
            ],
          },
        },
      });
      await http.stop();
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('migrations', () => {
  it('an API and two workers starting at once on an empty database migrate it once, without failing', async () => {
    const name = `hub_migrate_race_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    try {
      const databases = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: databaseUrl(name), dataDir: '' })));
      const rows = await queryRows<{ n: number }>(databases[0].db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(rows[0].n).toBe(readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length);
      for (const database of databases) await database.close();
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
