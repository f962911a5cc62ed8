import type { Hub } from './app.js';
import { feedPullProcessor, syncFeedSchedulers } from '../jobs/feed-pull.js';
import { QueueName } from '../jobs/queues.js';
import { reminderProcessor, syncReminderJobs, webhookProcessor } from '../jobs/reminders.js';

/** Starts every worker of the hub; returns the function that stops them gracefully. */
export async function startWorkers(hub: Hub): Promise<() => Promise<void>> {
  hub.jobs.startWorker(QueueName.FeedPull, feedPullProcessor(hub), { concurrency: 2 });
  hub.jobs.startWorker(QueueName.Reminder, reminderProcessor(hub), { concurrency: 4 });
  hub.jobs.startWorker(QueueName.Webhook, webhookProcessor(hub), { concurrency: 4 });
  // schedules live in Redis; every worker start (and Redis coming back) makes sure they are all there
  const sync = async () => {
    try {
      await syncFeedSchedulers(hub);
      await syncReminderJobs(hub);
    } catch (error) {
      hub.logger.warn({ reason: (error as Error).message }, 'schedules not synced');
    }
  };
  if (hub.jobs.available) await sync();
  hub.jobs.connection.on('ready', () => void sync());
  hub.logger.info({ prefix: hub.jobs.prefix }, 'workers started');
  return async () => {
    await hub.jobs.close();
  };
}
