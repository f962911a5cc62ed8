import { Queue, Worker, type Processor, type WorkerOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../src/config/config.js';
import type { JobQueue, ScheduledFeed, ScheduledReminder } from '../src/shared/job-queue.js';
import { DeadlineError, UnavailableError, withDeadline } from '../src/shared/unavailable.js';
import { queueBoard } from './queue-admin.js';
import { QueueName, defaultJobOptions } from './queues.js';

export interface JobRuntimeOptions {
  redisUrl: string;
  /** BullMQ key prefix: two hubs, or two test runs, can share one Redis */
  prefix: string;
  logger: Logger;
  /** feed pulls and webhook deliveries: attempts, and the first retry delay (doubling after) */
  feedRetries: { attempts: number; backoffMs: number };
  webhookRetries: { attempts: number; backoffMs: number };
}

/** Reminder jobs stay in Redis for a year after they run, so re-adding one by id is a no-op. */
const keepAYear = { age: 400 * 24 * 3600 };

/** The scheduler id of a feed: one per feed, so upserting it again never adds a second. */
export const feedSchedulerId = (feedId: number) => `feed-${feedId}`;
export const webhookJobId = (notificationId: number) => `webhook-${notificationId}`;

/** A Redis command on the request path that gets no answer in this time fails (Redis hung, not down). */
export const redisCommandTimeoutMs = 1_000;
/** The most a request waits on Redis in all (several commands, or a queue still connecting). */
export const redisRequestDeadlineMs = 1_500;

const retryStrategy = (times: number) => Math.min(times * 500, 5_000);

/**
 * The hub's Redis connections for BullMQ, its queues and workers. When Redis cannot be reached the hub
 * keeps serving: `available` turns false, one line says jobs are paused, and it reconnects.
 *
 * Two kinds of connection. `connection` is the producer's, used on the request path (queues, locks,
 * pings): it never waits for a Redis that is down (no offline queue) or hung (every command times out
 * after redisCommandTimeoutMs), so a request answers SERVICE_UNAVAILABLE instead of hanging. Each worker
 * has a blocking connection of its own, which waits as long as Redis needs (maxRetriesPerRequest null).
 */
export class JobRuntime implements JobQueue {
  readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: { worker: Worker; connection: Redis }[] = [];
  private reportedDown = false;
  private closed = false;
  private closingAll?: Promise<void>;
  private workersClosing?: Promise<void>;
  private board?: RequestHandler;

  constructor(private readonly options: JobRuntimeOptions) {
    this.connection = new Redis(options.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: redisCommandTimeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy,
    });
    this.connection.on('ready', () => {
      if (this.reportedDown) options.logger.info({ redis: redactUrl(options.redisUrl) }, 'Redis is back: jobs resume');
      this.reportedDown = false;
    });
    this.connection.on('error', (error) => {
      if (this.reportedDown || this.closed) return;
      this.reportedDown = true;
      options.logger.warn(
        { redis: redactUrl(options.redisUrl), reason: error.message },
        'Redis is unreachable: jobs are paused (the API still serves reads and writes)',
      );
    });
  }

  /** true once the workers were told to stop: long jobs hand their work back at the next safe point */
  get closing(): boolean {
    return this.closed;
  }

  get available(): boolean {
    return this.connection.status === 'ready';
  }

  get prefix(): string {
    return this.options.prefix;
  }

  /** Connects without waiting forever: an unreachable Redis leaves the hub running, jobs paused. */
  async connect(timeoutMs = 2_000): Promise<boolean> {
    if (this.connection.status === 'wait') this.connection.connect().catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (!this.available && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.available;
  }

  /** Asks Redis for an answer within `timeoutMs`: what /readyz reports. */
  async ping(timeoutMs = redisCommandTimeoutMs): Promise<{ ok: true } | { ok: false; error: string }> {
    if (!this.available) return { ok: false, error: 'unreachable: jobs are paused' };
    try {
      await withDeadline(this.connection.ping(), timeoutMs);
      return { ok: true };
    } catch {
      return { ok: false, error: `no answer within ${timeoutMs} ms: jobs are paused` };
    }
  }

  /**
   * Runs Redis work for a request: SERVICE_UNAVAILABLE at once when Redis is down, and after
   * redisRequestDeadlineMs when it does not answer (the work may still complete later).
   */
  async request<T>(work: () => Promise<T>, deadlineMs = redisRequestDeadlineMs): Promise<T> {
    if (!this.available) throw new UnavailableError('redis', 'jobs are paused (Redis is unreachable); try again later');
    try {
      return await withDeadline(work(), deadlineMs);
    } catch (error) {
      if (error instanceof DeadlineError) {
        throw new UnavailableError('redis', `Redis did not answer within ${deadlineMs} ms; try again shortly`);
      }
      throw error;
    }
  }

  /**
   * Redis work a request can do without: tried within the request's deadline, and when Redis is
   * down or slow the failure is logged and the request goes on (the jobs check again when they run,
   * and schedules are synced again when Redis comes back).
   */
  async bestEffort(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await this.request(work);
    } catch (error) {
      this.options.logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        `${what}: skipped, Redis is unavailable`,
      );
    }
  }

  enqueueFeedPull(feedId: number, jobId: string): Promise<void> {
    const { attempts, backoffMs } = this.options.feedRetries;
    return this.request(async () => {
      await this.queue(QueueName.FeedPull).add(
        QueueName.FeedPull,
        { feedId, trigger: 'MANUAL' },
        { jobId, attempts, backoff: { type: 'exponential', delay: backoffMs } },
      );
    });
  }

  scheduleFeeds(feeds: readonly ScheduledFeed[]): Promise<void> {
    const { attempts, backoffMs } = this.options.feedRetries;
    return this.request(async () => {
      const queue = this.queue(QueueName.FeedPull);
      // upserting a scheduler id never duplicates it: every worker may call this at every start
      for (const feed of feeds) {
        await queue.upsertJobScheduler(
          feedSchedulerId(feed.id),
          { pattern: feed.schedule, tz: feed.timeZone },
          {
            name: QueueName.FeedPull,
            data: { feedId: feed.id, trigger: 'SCHEDULE' },
            opts: { attempts, backoff: { type: 'exponential', delay: backoffMs } },
          },
        );
      }
      const keep = new Set(feeds.map((f) => feedSchedulerId(f.id)));
      for (const scheduler of await queue.getJobSchedulers(0, -1)) {
        if (scheduler.key.startsWith('feed-') && !keep.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
      }
    }, 10_000);
  }

  scheduleReminders(planCode: string, reminders: readonly ScheduledReminder[], now: Date): Promise<number> {
    return this.request(async () => {
      const queue = this.queue(QueueName.Reminder);
      const wanted = new Set(reminders.map((r) => r.jobId));
      // a moved deadline: its old pending reminders go (only this plan's, only those not yet sent)
      const ofPlan = `reminder/${planCode}/`;
      for (const job of await queue.getDelayed()) {
        if (job.id?.startsWith(ofPlan) && !wanted.has(job.id)) await job.remove();
      }
      let added = 0;
      for (const reminder of reminders) {
        if (await queue.getJob(reminder.jobId)) continue;
        await queue.add(QueueName.Reminder, reminder.payload, {
          jobId: reminder.jobId,
          delay: Math.max(0, reminder.sendAt.getTime() - now.getTime()),
          attempts: 5,
          backoff: { type: 'exponential', delay: 60_000 },
          removeOnComplete: keepAYear,
          removeOnFail: keepAYear,
        });
        added += 1;
      }
      return added;
    }, 10_000);
  }

  cancelReminders(jobIds: readonly string[]): Promise<void> {
    return this.request(async () => {
      const queue = this.queue(QueueName.Reminder);
      for (const jobId of jobIds) {
        const job = await queue.getJob(jobId);
        if (job && (await job.isDelayed())) await job.remove();
      }
    });
  }

  queueWebhook(notificationId: number): Promise<void> {
    const { attempts, backoffMs } = this.options.webhookRetries;
    return this.request(async () => {
      // retried with exponential backoff: with the defaults the last try is about 17 hours after the first
      await this.queue(QueueName.Webhook).add(
        QueueName.Webhook,
        { notificationId },
        { jobId: webhookJobId(notificationId), attempts, backoff: { type: 'exponential', delay: backoffMs } },
      );
    });
  }

  async counts(): Promise<[string, Record<string, number>][]> {
    if (!this.available) return [];
    // a hung Redis leaves these out (within the request deadline) rather than holding up other metrics
    return this.request(() =>
      Promise.all(
        Object.values(QueueName).map(
          async (name) =>
            [name, await this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')] as [
              string,
              Record<string, number>,
            ],
        ),
      ),
    ).catch(() => []);
  }

  queueAdmin(basePath: string): RequestHandler {
    this.board ??= queueBoard(
      Object.values(QueueName).map((name) => this.queue(name)),
      basePath,
    );
    return this.board;
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const created = new Queue(name, { connection: this.connection, prefix: this.options.prefix, defaultJobOptions });
      created.on('error', () => undefined); // the connection's own handler reports the outage once
      // a queue whose first contact with Redis failed (Redis hung while it started) stays broken: start afresh
      created.waitUntilReady().catch(() => {
        if (this.queues.get(name) === created) this.queues.delete(name);
      });
      this.queues.set(name, created);
      queue = created;
    }
    return queue;
  }

  startWorker<T>(name: QueueName, processor: Processor<T>, options: Partial<WorkerOptions> = {}): Worker<T> {
    // workers block on Redis, so each gets a connection of its own that waits for Redis as long as it takes
    const connection = new Redis(this.options.redisUrl, workerConnectionOptions);
    connection.on('error', () => undefined); // reported once by the producer connection
    const worker = new Worker<T>(name, processor, { connection, prefix: this.options.prefix, concurrency: 4, ...options });
    worker.on('error', () => undefined);
    worker.on('failed', (job, error) =>
      this.options.logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, reason: error.message }, 'job failed'),
    );
    this.workers.push({ worker: worker as Worker, connection });
    return worker;
  }

  /**
   * Stops taking jobs: `closing` turns true at once, so a feed pull hands its run back after the page
   * in hand; resolves when every job in hand has ended. The producer connection stays open (requests
   * still in flight may queue work).
   */
  stopWorkers(): Promise<void> {
    this.closed = true;
    this.workersClosing ??= Promise.all(
      this.workers.map(async ({ worker, connection }) => {
        // with Redis down no job can be finished or handed back: do not wait for it to come back
        const down = connection.status !== 'ready';
        if (down) connection.disconnect();
        await worker.close(down);
        connection.disconnect();
      }),
    ).then(() => undefined);
    return this.workersClosing;
  }

  async close(): Promise<void> {
    this.closingAll ??= (async () => {
      await this.stopWorkers();
      await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
      this.connection.disconnect();
    })();
    return this.closingAll;
  }
}

const workerConnectionOptions: RedisOptions = { maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy };

/** The job queue of a hub built from this config: BullMQ on REDIS_URL. */
export const bullmqJobs =
  (config: Config) =>
  (logger: Logger): JobRuntime =>
    new JobRuntime({
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      logger,
      feedRetries: { attempts: config.feedAttempts, backoffMs: config.feedBackoffMs },
      webhookRetries: { attempts: config.webhookAttempts, backoffMs: config.webhookBackoffMs },
    });

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@');
}
