import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase, exitWithin, freePort, spawnHub, type HubProcess } from './support/spawned-hub.js';

// What the production image runs (Dockerfile): `npm run build`, then node on the compiled JavaScript,
// without tsx. The worker answers health checks on HUB_HEALTH_PORT, as docker-compose.yml probes it.
describe('the compiled hub', () => {
  let database: Awaited<ReturnType<typeof cloneDatabase>>;
  const started: HubProcess[] = [];

  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: process.cwd(), timeout: 170_000 });
    database = await cloneDatabase();
  }, 180_000);
  afterAll(async () => {
    for (const hub of started) await hub.kill();
    await database?.drop();
  });

  it('builds the entry points, the dashboard and the migrations into dist/', () => {
    for (const file of [
      'dist/src/main.js',
      'dist/src/cli.js',
      'dist/src/http/dashboard/index.html',
      'dist/src/http/explorer/index.html',
      'dist/drizzle/migrations/meta/_journal.json',
    ]) {
      expect(existsSync(file), file).toBe(true);
    }
  });

  it('leaves the test and demo tooling (tools/, the feed simulator) out of dist/', () => {
    const files = readdirSync('dist', { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => /^tools\b|simulator/.test(f))).toEqual([]);
  });

  it('serves the API and stops on SIGTERM', async () => {
    const api = spawnHub('api', { DATABASE_URL: database.url }, { compiled: true });
    started.push(api);
    const url = await api.listening();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    api.signal('SIGTERM');
    expect((await exitWithin(api, 10_000))?.code).toBe(0);
  }, 60_000);

  it('runs a worker that answers /healthz and /readyz on HUB_HEALTH_PORT', async () => {
    const port = await freePort();
    const worker = spawnHub('worker', { DATABASE_URL: database.url, HUB_HEALTH_PORT: String(port) }, { compiled: true });
    started.push(worker);
    await worker.waitFor(/worker health checks on/);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', database: { ok: true }, redis: { ok: true } }]);
    worker.signal('SIGTERM');
    expect((await exitWithin(worker, 10_000))?.code).toBe(0);
  }, 60_000);
});
