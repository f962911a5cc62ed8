import { Queue, Worker, type Processor, type WorkerOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { DeadlineError, UnavailableError, withDeadline } from '../src/shared/unavailable.js';
import { QueueName, defaultJobOptions } from './queues.js';

export interface JobRuntimeOptions {
  redisUrl: string;
  /** BullMQ key prefix: two hubs, or two test runs, can share one Redis */
  prefix: string;
  logger: Logger;
}

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
export class JobRuntime {
  readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: { worker: Worker; connection: Redis }[] = [];
  private reportedDown = false;
  private closed = false;
  private closingAll?: Promise<void>;
  private workersClosing?: Promise<void>;

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

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@');
}
