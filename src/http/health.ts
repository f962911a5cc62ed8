import { createServer, type Server } from 'node:http';
import express, { type Express } from 'express';
import type { Hub } from '../app.js';
import { withDeadline } from '../shared/unavailable.js';

/** How long /readyz waits for each dependency. */
const readinessTimeoutMs = 1_000;

/** /healthz (the process answers) and /readyz (the database and Redis answer in time), without a token. */
export function mountHealth(app: Express, hub: Hub): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const database = await withDeadline(hub.database.ping(), readinessTimeoutMs).then(
      () => ({ ok: true }),
      // the reason goes to the log; an unauthenticated probe learns only that it is down
      (error: Error) => {
        hub.logger.warn({ reason: error.message }, 'readiness: database unreachable');
        return { ok: false, error: 'unreachable' };
      },
    );
    // a ping with a deadline: a hung Redis (connected, not answering) is not ready either
    const redis = await hub.jobs.ping(readinessTimeoutMs);
    const ready = database.ok && redis.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'degraded', database, redis });
  });
}

/** A worker's own health endpoints (HUB_HEALTH_PORT), for orchestrators that probe over HTTP. */
export async function startHealthServer(hub: Hub, port: number, host: string): Promise<{ address: string; stop(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  mountHealth(app, hub);
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = server.address();
  const address = typeof bound === 'object' && bound ? `${bound.address}:${bound.port}` : String(bound);
  return {
    address,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
