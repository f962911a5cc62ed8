import { sql } from 'drizzle-orm';
import type { Express, NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Hub } from '../app.js';
import { recordAudit, tokenActor } from '../audit/audit.service.js';
import type { Principal } from '../auth/auth.service.js';
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
      // a hung Redis leaves these out (within the request deadline) rather than holding up every other metric
      for (const [queue, byState] of await hub.jobs.counts()) {
        for (const [state, count] of Object.entries(byState)) this.set({ queue, state }, count);
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
    name: 'hub_live_subscriptions',
    help: 'open live subscriptions in this process (WebSocket and event streams), by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const counts = hub.live.subscriptionCounts();
      this.set({ kind: 'progressChanged' }, counts.progress);
      this.set({ kind: 'notificationAdded' }, counts.notifications);
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

/** Bull Board at /admin/queues (built by the job queue), for OFFICE tokens (header, or the cookie the dashboard sets). */
export function mountQueueAdmin(app: Express, hub: Hub): void {
  const board = hub.jobs.queueAdmin('/admin/queues');
  const none = (_req: Request, res: Response) => {
    res.status(503).json({ error: { key: 'SERVICE_UNAVAILABLE' }, message: 'this process has no job queue' });
  };
  app.use('/admin/queues', requireTokenRole(hub, 'OFFICE'), auditQueueChanges(hub), board ?? none);
}

const queueVerbs = new Set(['add', 'retry', 'promote', 'clean', 'pause', 'resume', 'concurrency', 'rate-limit', 'empty', 'obliterate']);

/** Names a Bull Board API change: `PUT /api/queues/feed-pull/42/clean` is `queue.job.clean` of `queue feed-pull job 42`. */
export function queueChange(path: string): { action: string; target: string } {
  const [, , queue, second, third, fourth] = path
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  if (second === undefined) return { action: `queues.${queue ?? 'change'}`, target: 'every queue' };
  if (second === 'job-schedulers') return { action: `queue.scheduler.${fourth ?? 'update'}`, target: `queue ${queue} scheduler ${third}` };
  if (queueVerbs.has(second)) return { action: `queue.${second}`, target: `queue ${queue}${third ? ` (${third})` : ''}` };
  return { action: `queue.job.${third ?? 'change'}`, target: `queue ${queue} job ${second}` };
}

/** Every change made through Bull Board (jobs removed, retried, promoted; queues cleaned, emptied, paused) is audited once it succeeded. */
function auditQueueChanges(hub: Hub) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || !req.path.startsWith('/api/')) return next();
    const principal = res.locals.principal as Principal;
    const path = req.path;
    res.on('finish', () => {
      if (res.statusCode >= 400) return;
      recordAudit(hub.db, hub.clock, tokenActor(principal), {
        ...queueChange(path),
        details: { method: req.method, path: `/admin/queues${path}`, status: res.statusCode },
      }).catch((error: unknown) => hub.logger.error({ err: error, path }, 'could not audit a queue change'));
    });
    next();
  };
}
