import type { Hub } from '../src/app.js';
import { feedPullProcessor } from './feed-pull.js';
import { QueueName } from './queues.js';
import { startReconciler } from './reconcile.js';
import { reminderProcessor, webhookProcessor } from './reminders.js';
import type { JobRuntime } from './runtime.js';

/** Starts every worker of the hub on the BullMQ runtime; returns the function that stops them gracefully. */
export async function startWorkers(hub: Hub, runtime: JobRuntime): Promise<() => Promise<void>> {
  // a worker killed without a word frees its job once its lock runs out; BullMQ then hands it to
  // another worker, or fails it as stalled the second time, which the reconciler picks up
  const locks = { lockDuration: hub.config.jobLockMs, stalledInterval: hub.config.jobLockMs };
  runtime.startWorker(QueueName.FeedPull, feedPullProcessor(hub, runtime), { concurrency: 2, ...locks });
  runtime.startWorker(QueueName.Reminder, reminderProcessor(hub), { concurrency: 4, ...locks });
  runtime.startWorker(QueueName.Webhook, webhookProcessor(hub), { concurrency: 4, ...locks });
  // schedules live in Redis; every worker start (and Redis coming back) makes sure they are all there
  const sync = async () => {
    try {
      await hub.feeds.syncSchedules();
      await hub.reminders.syncReminders();
    } catch (error) {
      hub.logger.warn({ reason: (error as Error).message }, 'schedules not synced');
    }
  };
  if (runtime.available) await sync();
  // runs lost with their jobs (a restarted Redis, a worker killed twice) are resumed or failed, never left
  const reconciler = startReconciler(hub, runtime, hub.config.reconcileIntervalMs);
  runtime.connection.on('ready', () => {
    void sync();
    reconciler.runNow();
  });
  hub.logger.info({ prefix: runtime.prefix }, 'workers started');
  return async () => {
    await reconciler.stop();
    await runtime.close();
  };
}
