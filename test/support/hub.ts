import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import { redisEvents } from '../../jobs/redis-events.js';
import { bullmqJobs, JobRuntime } from '../../jobs/runtime.js';
import { createHub, type Hub } from '../../src/app.js';
import { issueToken, type Role } from '../../src/auth/auth.service.js';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase } from '../../src/db/database.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { loadPlanFile } from '../../src/plan/plan.files.js';
import { loadPlan } from '../../src/plan/plan.loader.js';
import { ManualClock } from '../../src/shared/clock.js';
import { planPath, planWithRegionTargets } from './plan-overlay.js';
import { adminUrl, databaseUrl, redisUrl } from './urls.js';

export { planPath };

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestHub {
  hub: Hub;
  clock: ManualClock;
  http: HttpServer;
  url: string;
  databaseName: string;
  token(role: Role, agencyCode?: string): Promise<string>;
  /** another process of the same hub (a worker replica): same database, config and clock, its own Redis connections */
  replica(): Promise<Hub>;
  gql<T = Record<string, any>>(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** the hub's clock; default: a day in the middle of 2023 */
  now?: string;
  /** load the shipped 2023 plan (default true) */
  loadPlan?: boolean;
  /** decomposed targets laid over the 2023 plan, by indicator code: { "10.1": { "361102": "8" } } */
  regionTargets?: Record<string, Record<string, string>>;
  env?: Record<string, string>;
}

/** A hub on its own clone of the migrated template database, with an HTTP server on a free port. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const template = inject('templateDatabase');
  const databaseName = `hub_test_${template.slice('hub_template_'.length)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${databaseName} template ${template}`);
  await admin.end();

  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl(databaseName),
    REDIS_URL: redisUrl(),
    HUB_QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    // the simulator and the tests' own servers listen on 127.0.0.1
    HUB_ALLOW_LOOPBACK_TARGETS: 'true',
    ...options.env,
  });
  const clock = new ManualClock(options.now ?? '2023-07-01T10:00:00+08:00');
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: '', poolSize: 4 });
  const hub = await createHub(config, {
    clock,
    database,
    logger: pino({ level: 'silent' }),
    jobs: bullmqJobs(config),
    events: redisEvents(config),
  });
  if (options.regionTargets) await loadPlan(hub.db, planWithRegionTargets(options.regionTargets), clock);
  else if (options.loadPlan !== false) await loadPlanFile(hub.db, planPath, clock);
  const http = await startHttpServer(hub, 0, '127.0.0.1');

  return {
    hub,
    clock,
    http,
    url: http.url,
    databaseName,
    async token(role, agencyCode) {
      return (await issueToken(hub.db, { role, agencyCode }, clock)).token;
    },
    async replica() {
      const other = await createHub(config, {
        clock,
        database,
        logger: pino({ level: 'silent' }),
        jobs: bullmqJobs(config),
        events: redisEvents(config),
      });
      await other.jobs.connect();
      return other;
    },
    async gql(token, query, variables) {
      const response = await fetch(`${http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status } as GraphQLResponse<any>;
    },
    async close() {
      await http.stop();
      await hub.close();
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl() });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${databaseName} with (force)`);
      await cleanup.end();
    },
  };
}

/** The BullMQ runtime behind a hub's job queue: tests look at the queues themselves. */
export function runtimeOf(hub: Hub): JobRuntime {
  if (!(hub.jobs instanceof JobRuntime)) throw new Error('this hub has no BullMQ job queue');
  return hub.jobs;
}
