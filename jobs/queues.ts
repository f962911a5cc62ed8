import type { DefaultJobOptions } from 'bullmq';

/** Every queue of the hub. A job's name is its queue's name: one kind of work per queue. */
export enum QueueName {
  /** pull one bureau feed */
  FeedPull = 'feed-pull',
  /** send one deadline reminder or escalation */
  Reminder = 'reminder',
  /** deliver one notification to an agency's webhook */
  Webhook = 'webhook',
}

export const defaultJobOptions: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};
