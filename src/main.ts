import 'reflect-metadata';
import { createHub } from './app.js';
import { secureStoredSecrets } from './auth/secrets.js';
import { loadConfig } from './config/config.js';
import { adminSocketPath, listenAdminSocket, sendAdminCommand } from './http/admin-socket.js';
import { startHealthServer } from './http/health.js';
import { startHttpServer } from './http/server.js';
import { loadShippedPlans } from './plan/plan.files.js';
import { redisEvents } from '../jobs/redis-events.js';
import { bullmqJobs } from '../jobs/runtime.js';
import { startWorkers } from '../jobs/workers.js';

type Mode = 'all' | 'api' | 'worker';

/**
 * A process has 10 s from SIGTERM or SIGINT (what an orchestrator usually waits before SIGKILL): HTTP
 * requests in flight get drainGraceMs, a feed pull finishes its page in hand; past this, it exits anyway.
 */
const shutdownDeadlineMs = 9_500;

/** `npm start` runs API and workers in one process; `start:api` and `start:worker` split them. */
async function main(mode: Mode): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl && (await sendAdminCommand(adminSocketPath(config.dataDir), null))) {
    throw new Error(`another hub is already running on ${config.dataDir} (embedded PGlite allows one process per data folder)`);
  }
  // the one place (with the CLI) that picks the job queue: BullMQ on REDIS_URL
  const runtime = bullmqJobs(config);
  let jobs: ReturnType<typeof runtime> | undefined;
  const hub = await createHub(config, { jobs: (logger) => (jobs = runtime(logger)), events: redisEvents(config) });
  const { logger } = hub;
  // Signals are handled from here on, before anything says it is ready: a signal that came before
  // process.on() would kill the process outright. One during startup stops it once startup is done.
  const drains: (() => Promise<void>)[] = [];
  const closes: (() => Promise<void>)[] = [];
  let started = false;
  let stopping = false;
  const shutdown = () =>
    // requests in flight and jobs in hand finish together; the database and Redis close after them
    Promise.all(drains.map((drain) => drain()))
      .then(async () => {
        for (const close of closes) await close();
        await hub.close();
      })
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ afterMs: shutdownDeadlineMs }, 'shutdown did not finish in time: exiting now');
      process.exit(1);
    }, shutdownDeadlineMs);
    deadline.unref();
    if (started) void shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // a stray rejection (a dependency failing outside any request) is logged; it does not end the process
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  logger.info({ database: hub.database.driver, dataDir: hub.database.driver === 'pglite' ? config.dataDir : undefined }, 'database ready');
  if (config.now) logger.info({ now: config.now.toISOString() }, 'clock pinned by HUB_NOW');
  // refuses to start in production with secrets stored and no HUB_SECRET_KEY; with a key, encrypts plaintext ones
  await secureStoredSecrets(hub);

  for (const result of await loadShippedPlans(hub.db, config.plansDir, hub.clock)) {
    logger.info(result, `plan ${result.planCode} ${result.outcome}`);
    for (const warning of result.warnings) logger.warn({ plan: result.planCode }, warning);
  }
  if (await hub.jobs.connect()) logger.info('Redis reachable: jobs running');

  // each part registers how it stops: first it stops taking work and finishes what is in hand (drains), then it closes
  if (hub.database.driver === 'pglite') {
    // the CLI reaches this process through the data folder while it holds the embedded database
    const admin = await listenAdminSocket(hub);
    drains.push(() => new Promise<void>((resolve) => admin.close(() => resolve())));
  }
  if (mode !== 'api') {
    const stopWorkers = await startWorkers(hub, jobs!);
    // a feed pull hands its run back after the page in hand (jobs.closing); queues stay open for the API
    drains.push(() => hub.jobs.stopWorkers());
    closes.push(stopWorkers);
  }
  if (mode === 'worker' && config.healthPort !== undefined) {
    const health = await startHealthServer(hub, config.healthPort, config.host);
    logger.info({ address: health.address }, `worker health checks on ${health.address} (/healthz, /readyz)`);
    drains.push(() => health.stop());
  }
  if (mode !== 'worker') {
    const http = await startHttpServer(hub);
    logger.info({ address: http.address }, `hub listening on ${http.address} (GraphQL at ${http.url}/graphql)`);
    drains.push(() => http.stop());
  }

  started = true;
  if (stopping) void shutdown();
}

const mode = (process.argv[2] ?? 'all') as Mode;
if (!['all', 'api', 'worker'].includes(mode)) {
  console.error(`unknown mode ${mode}: use all, api or worker`);
  process.exit(2);
}
main(mode).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
