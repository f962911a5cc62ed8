import { Queue, Worker, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { QueueName, defaultJobOptions } from './queues.js';

export interface JobRuntimeOptions {
  redisUrl: string;
  /** BullMQ key prefix: two hubs, or two test runs, can share one Redis */
  prefix: string;
  logger: Logger;
}

/**
 * The hub's one Redis connection for BullMQ, its queues and workers. When Redis cannot be reached
 * the hub keeps serving: `available` turns false, one line says jobs are paused, and it reconnects.
 */
export class JobRuntime {
  readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private reportedDown = false;
  private closed = false;

  constructor(private readonly options: JobRuntimeOptions) {
    this.connection = new Redis(options.redisUrl, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
      enableOfflineQueue: true,
      retryStrategy: (times) => Math.min(times * 500, 5_000),
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

  /** true once close() began: long jobs hand their work back at the next safe point */
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
    this.connection.connect().catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (!this.available && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.available;
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.options.prefix, defaultJobOptions });
      queue.on('error', () => undefined); // the connection's own handler reports the outage once
      this.queues.set(name, queue);
    }
    return queue;
  }

  startWorker<T>(name: QueueName, processor: Processor<T>, options: Partial<WorkerOptions> = {}): Worker<T> {
    // workers block on Redis, so each gets a connection of its own
    const worker = new Worker<T>(name, processor, {
      connection: this.connection.duplicate(),
      prefix: this.options.prefix,
      concurrency: 4,
      ...options,
    });
    worker.on('error', () => undefined);
    worker.on('failed', (job, error) =>
      this.options.logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, reason: error.message }, 'job failed'),
    );
    this.workers.push(worker as Worker);
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    // workers finish the job in hand (a page in its transaction) before they stop
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@');
}
