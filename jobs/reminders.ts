import type { Job, Processor } from 'bullmq';
import type { Hub } from '../src/app.js';
import type { ReminderPayload } from '../src/reminders/reminders.service.js';

export interface WebhookPayload {
  notificationId: number;
}

/** Sends one reminder or escalation (the service checks again whether it is owed) and queues its delivery. */
export function reminderProcessor(hub: Hub): Processor<ReminderPayload, string> {
  return async (job: Job<ReminderPayload, string>) => {
    const notification = await hub.reminders.fire(job.data);
    if (!notification) {
      // already sent, its delivery never queued (a worker died in between): queue it now, once
      const pending = await hub.reminders.pendingDelivery(job.data);
      if (pending) await hub.jobs.queueWebhook(pending.id);
      return pending ? `delivery of notification ${pending.id} queued again` : 'nothing to send';
    }
    if (notification.deliveryStatus === 'PENDING') await hub.jobs.queueWebhook(notification.id);
    return `notification ${notification.id}`;
  };
}

export function webhookProcessor(hub: Hub): Processor<WebhookPayload, void> {
  return async (job: Job<WebhookPayload, void>) => {
    const attempt = job.attemptsMade + 1;
    await hub.reminders.deliver(job.data.notificationId, attempt, attempt >= (job.opts.attempts ?? 1));
  };
}
