import type { Job, Processor } from 'bullmq';
import type { Hub } from '../src/app.js';
import type { PlanRow } from '../src/plan/plan.repository.js';
import type { ReminderPayload } from '../src/reminders/reminders.service.js';
import { reminderDaysBefore, reminderJobId } from '../src/reminders/reminders.schedule.js';
import { QueueName } from './queues.js';

export interface WebhookPayload {
  notificationId: number;
}

/** Reminder jobs stay in Redis for a year after they run, so re-adding one by id is a no-op. */
const keepAYear = { age: 400 * 24 * 3600 };

/**
 * Puts every reminder and escalation the calendar still calls for into BullMQ as delayed jobs with
 * deterministic ids: calling it again (a restart, a second replica) finds them there and adds nothing.
 */
export async function syncReminderJobs(hub: Hub, plans?: PlanRow[]): Promise<number> {
  const queue = hub.jobs.queue(QueueName.Reminder);
  const now = hub.clock.now();
  let added = 0;
  for (const plan of plans ?? (await hub.planRepository.allPlans())) {
    for (const planned of await hub.reminders.planned(plan, now)) {
      const payload: ReminderPayload = {
        planId: planned.planId,
        roundId: planned.roundId,
        agencyId: planned.agencyId,
        kind: planned.kind,
        sendAt: planned.sendAt.toISOString(),
      };
      const jobId = reminderJobId(plan.code, planned.roundId, planned.agencyCode, planned.kind);
      if (await queue.getJob(jobId)) continue;
      await queue.add(QueueName.Reminder, payload, {
        jobId,
        delay: Math.max(0, planned.sendAt.getTime() - now.getTime()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 60_000 },
        removeOnComplete: keepAYear,
        removeOnFail: keepAYear,
      });
      added += 1;
    }
  }
  return added;
}

/** A report arrived: drop the agency's remaining reminders for the round if it owes nothing more. */
export async function cancelFulfilledReminders(
  hub: Hub,
  plan: PlanRow,
  roundId: number,
  agencyCode: string,
  agencyId: number,
): Promise<void> {
  if (!hub.jobs.available) return; // the job checks again when it fires
  const owed = (await hub.reminders.owed(plan, roundId)).get(agencyId) ?? [];
  if (owed.length > 0) return;
  const queue = hub.jobs.queue(QueueName.Reminder);
  for (const [kind] of reminderDaysBefore) {
    const job = await queue.getJob(reminderJobId(plan.code, roundId, agencyCode, kind));
    if (job && (await job.isDelayed())) await job.remove();
  }
}

export function reminderProcessor(hub: Hub): Processor<ReminderPayload, string> {
  return async (job: Job<ReminderPayload, string>) => {
    const notification = await hub.reminders.fire(job.data);
    if (!notification) {
      const pending = await hub.reminders.pendingDelivery(job.data);
      if (pending) await queueWebhook(hub, pending.id);
      return pending ? `delivery of notification ${pending.id} queued again` : 'nothing to send';
    }
    if (notification.deliveryStatus === 'PENDING') await queueWebhook(hub, notification.id);
    return `notification ${notification.id}`;
  };
}

export async function queueWebhook(hub: Hub, notificationId: number): Promise<void> {
  await hub.jobs.queue(QueueName.Webhook).add(
    QueueName.Webhook,
    { notificationId },
    // retried with exponential backoff: with the defaults the last try is about 17 hours after the first
    {
      jobId: `webhook-${notificationId}`,
      attempts: hub.config.webhookAttempts,
      backoff: { type: 'exponential', delay: hub.config.webhookBackoffMs },
    },
  );
}

export function webhookProcessor(hub: Hub): Processor<WebhookPayload, void> {
  return async (job: Job<WebhookPayload, void>) => {
    const attempt = job.attemptsMade + 1;
    await hub.reminders.deliver(job.data.notificationId, attempt, attempt >= (job.opts.attempts ?? 1));
  };
}
