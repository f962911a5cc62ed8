import type { Hub } from './app.js';
import { feedPullProcessor, syncFeedSchedulers } from '../jobs/feed-pull.js';
import { QueueName } from '../jobs/queues.js';
import { startReconciler } from '../jobs/reconcile.js';
import { reminderProcessor, syncReminderJobs, webhookProcessor } from '../jobs/reminders.js';

/** Starts every worker of the hub; returns the function that stops them gracefully. */
export async function startWorkers(hub: Hub): Promise<() => Promise<void>> {
  // a worker killed without a word frees its job once its lock runs out; BullMQ then hands it to
  // another worker, or fails it as stalled the second time, which the reconciler picks up
  const locks = { lockDuration: hub.config.jobLockMs, stalledInterval: hub.config.jobLockMs };
  hub.jobs.startWorker(QueueName.FeedPull, feedPullProcessor(hub), { concurrency: 2, ...locks });
  hub.jobs.startWorker(QueueName.Reminder, reminderProcessor(hub), { concurrency: 4, ...locks });
  hub.jobs.startWorker(QueueName.Webhook, webhookProcessor(hub), { concurrency: 4, ...locks });
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
  // runs lost with their jobs (a restarted Redis, a worker killed twice) are resumed or failed, never left
  const reconciler = startReconciler(hub, hub.config.reconcileIntervalMs);
  hub.jobs.connection.on('ready', () => {
    void sync();
    reconciler.runNow();
  });
  hub.logger.info({ prefix: hub.jobs.prefix }, 'workers started');
  return async () => {
    await reconciler.stop();
    await hub.jobs.close();
  };
}
