import type { Hub } from './app.js';

/** Starts every worker of the hub; returns the function that stops them gracefully. */
export async function startWorkers(hub: Hub): Promise<() => Promise<void>> {
  hub.logger.info({ prefix: hub.jobs.prefix }, 'workers started');
  return async () => {
    await hub.jobs.close();
  };
}
