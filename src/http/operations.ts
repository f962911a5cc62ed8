import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { sql } from 'drizzle-orm';
import type { Express, NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QueueName } from '../../jobs/queues.js';
import type { Hub } from '../app.js';
import { queryRows } from '../db/database.js';
import { requireTokenRole } from './rest-auth.js';

/** Prometheus metrics: requests and latencies, job counts per queue and state, feed run outcomes. */
export function mountMetrics(app: Express, hub: Hub): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  const requests = new Counter({
    name: 'hub_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'hub_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'hub_jobs',
    help: 'BullMQ jobs by queue and state (absent while Redis is unreachable)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!hub.jobs.available) return;
      for (const name of Object.values(QueueName)) {
        const counts = await hub.jobs.queue(name).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: name, state }, count);
      }
    },
  });
  new Gauge({
    name: 'hub_feed_runs',
    help: 'feed runs by outcome',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await queryRows<{ status: string; n: number }>(
        hub.db,
        sql`select status, count(*)::int as n from feed_runs group by status`,
      );
      for (const row of rows) this.set({ status: row.status }, row.n);
    },
  });
  new Gauge({
    name: 'hub_webhook_deliveries',
    help: 'notifications by webhook delivery status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await queryRows<{ status: string; n: number }>(
        hub.db,
        sql`select delivery_status as status, count(*)::int as n from notifications group by delivery_status`,
      );
      for (const row of rows) this.set({ status: row.status }, row.n);
    },
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const stop = latency.startTimer();
    res.on('finish', () => {
      // a route's pattern, never the raw path: ids and tokens must not become label values
      const route = knownRoute(req.originalUrl.split('?')[0]);
      stop({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  app.get('/metrics', requireTokenRole(hub, 'OFFICE', 'BI'), async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.send(await registry.metrics());
  });
}

const routes = ['/graphql', '/healthz', '/readyz', '/metrics', '/export/ledger.xlsx', '/export/ledger.csv'];
function knownRoute(path: string): string {
  if (routes.includes(path)) return path;
  if (path.startsWith('/dashboard')) return '/dashboard';
  if (path.startsWith('/admin/queues')) return '/admin/queues';
  return 'other';
}

/**
 * Bull Board's page asks Google Fonts for its typeface; these networks cannot reach it. Serve the same
 * page without that link (the UI falls back to the system font), written once per process.
 */
function offlineViews(): string {
  const require = createRequire(import.meta.url);
  const source = join(dirname(require.resolve('@bull-board/ui/package.json')), 'dist', 'index.ejs');
  const dir = join(tmpdir(), `hub-bull-board-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ejs'), readFileSync(source, 'utf8').replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, ''));
  return dir;
}

/** Bull Board at /admin/queues, for OFFICE tokens (header, or the cookie the dashboard sets). */
export function mountQueueAdmin(app: Express, hub: Hub): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(hub.jobs.queue(name), { readOnlyMode: false })),
    serverAdapter,
  });
  serverAdapter.setViewsPath(offlineViews());
  app.use('/admin/queues', requireTokenRole(hub, 'OFFICE'), serverAdapter.getRouter());
}
