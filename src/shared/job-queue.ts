import type { RequestHandler } from 'express';
import { UnavailableError } from './unavailable.js';

/**
 * The port through which the domain has work done later: the services decide what (a pull now, the
 * feeds' schedules, the reminders a calendar calls for), the adapter in jobs/ (BullMQ on Redis) decides
 * how. Every call on the request path answers within a deadline, or throws SERVICE_UNAVAILABLE.
 */
export interface JobQueue {
  /** Redis answers: false while it is down, and the API keeps serving */
  readonly available: boolean;
  /** the workers were told to stop: a long job hands its work back at the next safe point */
  readonly closing: boolean;
  connect(timeoutMs?: number): Promise<boolean>;
  ping(timeoutMs?: number): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Work a request can do without: tried within the deadline, logged and skipped when Redis is away. */
  bestEffort(what: string, work: () => Promise<unknown>): Promise<void>;

  /** Queues a pull of a feed now; the job id is its run's key. */
  enqueueFeedPull(feedId: number, jobId: string): Promise<void>;
  /** Makes the feeds' schedules exactly these (one per feed; others removed). */
  scheduleFeeds(feeds: readonly ScheduledFeed[]): Promise<void>;
  /**
   * Makes the pending reminders of a plan exactly these: adds those missing (by job id, so twice adds
   * nothing) and removes pending ones the calendar no longer calls for (a deadline moved). Returns how
   * many were added.
   */
  scheduleReminders(planCode: string, reminders: readonly ScheduledReminder[], now: Date): Promise<number>;
  /** Drops pending reminders (a report settled what they were about). */
  cancelReminders(jobIds: readonly string[]): Promise<void>;
  /** Queues a webhook delivery of a notification (once: its job id is the notification's). */
  queueWebhook(notificationId: number): Promise<void>;
  /** Jobs per queue and state, for /metrics; empty when Redis does not answer in time. */
  counts(): Promise<[queue: string, byState: Record<string, number>][]>;
  /** The queue admin page (Bull Board) under `basePath`, or none. */
  queueAdmin(basePath: string): RequestHandler | undefined;

  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface ScheduledFeed {
  id: number;
  schedule: string;
  timeZone: string;
}

export interface ScheduledReminder {
  jobId: string;
  sendAt: Date;
  payload: { planId: number; roundId: number; agencyId: number; kind: string; sendAt: string };
}

const paused = () => Promise.reject(new UnavailableError('redis', 'jobs are paused (no job queue in this process); try again later'));

/** A hub without a job queue (a one-off script, a test that needs none): every job call is unavailable. */
export const noJobQueue: JobQueue = {
  available: false,
  closing: false,
  connect: () => Promise.resolve(false),
  ping: () => Promise.resolve({ ok: false, error: 'no job queue in this process' }),
  bestEffort: () => Promise.resolve(),
  enqueueFeedPull: paused,
  scheduleFeeds: paused,
  scheduleReminders: paused,
  cancelReminders: paused,
  queueWebhook: paused,
  counts: () => Promise.resolve([]),
  queueAdmin: () => undefined,
  stopWorkers: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
