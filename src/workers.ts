import type { Hub } from './app.js';
import { feedPullProcessor, syncFeedSchedulers } from '../jobs/feed-pull.js';
import { QueueName } from '../jobs/queues.js';

/** Starts every worker of the hub; returns the function that stops them gracefully. */
export async function startWorkers(hub: Hub): Promise<() => Promise<void>> {
  hub.jobs.startWorker(QueueName.FeedPull, feedPullProcessor(hub), { concurrency: 2 });
  const sync = () => syncFeedSchedulers(hub).catch((error: Error) => hub.logger.warn({ reason: error.message }, 'feed schedulers not synced'));
  if (hub.jobs.available) await sync();
  // Redis came back (or came up late): make sure every feed has its scheduler
  hub.jobs.connection.on('ready', () => void sync());
  hub.logger.info({ prefix: hub.jobs.prefix }, 'workers started');
  return async () => {
    await hub.jobs.close();
  };
}
