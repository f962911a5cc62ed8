import 'reflect-metadata';
import { createHub } from './app.js';
import { loadConfig } from './config/config.js';
import { adminSocketPath, listenAdminSocket, sendAdminCommand } from './http/admin-socket.js';
import { startHttpServer } from './http/server.js';
import { loadShippedPlans } from './plan/plan.files.js';
import { startWorkers } from './workers.js';

type Mode = 'all' | 'api' | 'worker';

/** `npm start` runs API and workers in one process; `start:api` and `start:worker` split them. */
async function main(mode: Mode): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl && (await sendAdminCommand(adminSocketPath(config.dataDir), null))) {
    throw new Error(`another hub is already running on ${config.dataDir} (embedded PGlite allows one process per data folder)`);
  }
  const hub = await createHub(config);
  const { logger } = hub;
  logger.info({ database: hub.database.driver, dataDir: hub.database.driver === 'pglite' ? config.dataDir : undefined }, 'database ready');
  if (config.now) logger.info({ now: config.now.toISOString() }, 'clock pinned by HUB_NOW');

  for (const result of await loadShippedPlans(hub.db, config.plansDir, hub.clock)) {
    logger.info(result, `plan ${result.planCode} ${result.outcome}`);
    for (const warning of result.warnings) logger.warn({ plan: result.planCode }, warning);
  }
  if (await hub.jobs.connect()) logger.info('Redis reachable: jobs running');

  const stops: (() => Promise<void>)[] = [];
  if (hub.database.driver === 'pglite') {
    // the CLI reaches this process through the data folder while it holds the embedded database
    const admin = await listenAdminSocket(hub);
    stops.push(() => new Promise<void>((resolve) => admin.close(() => resolve())));
  }
  if (mode !== 'api') stops.push(await startWorkers(hub));
  if (mode !== 'worker') {
    const http = await startHttpServer(hub);
    logger.info(`hub listening on ${http.url} (GraphQL at ${http.url}/graphql)`);
    stops.push(() => http.stop());
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const stop of stops.reverse()) await stop();
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
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
