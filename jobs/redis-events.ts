import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../src/config/config.js';
import { LiveListeners, type EventBus, type LiveEvent } from '../src/shared/event-bus.js';
import { redisCommandTimeoutMs } from './runtime.js';

interface Envelope {
  /** the process that published it: it has told its own listeners already */
  origin: string;
  event: LiveEvent;
}

const retryStrategy = (times: number) => Math.min(times * 500, 5_000);

/**
 * Live events between the hub's processes over Redis pub/sub (the Redis the job queues use): a push
 * handled by one API replica, or a feed page written by a worker, reaches subscribers on every replica.
 * A process tells its own listeners at once and skips its own messages when Redis echoes them. Redis
 * pub/sub keeps nothing: while Redis is away, events between processes are lost (logged), and a client
 * catches up by the data version it sees next.
 */
export class RedisEventBus implements EventBus {
  private readonly origin = randomBytes(8).toString('hex');
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners: LiveListeners;
  private warned = false;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}:live`;
    this.listeners = new LiveListeners((error) => logger.error({ err: error }, 'a live listener failed'));
    // publishing is on the request path: never wait for a Redis that is down or hung
    this.publisher = new Redis(redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: redisCommandTimeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy,
    });
    this.publisher.on('error', () => undefined);
    // the subscriber waits as long as Redis needs and subscribes again after a reconnect
    this.subscriber = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy, autoResubscribe: true });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let envelope: Envelope;
      try {
        envelope = JSON.parse(message) as Envelope;
      } catch {
        return;
      }
      if (envelope.origin !== this.origin) this.listeners.dispatch(envelope.event);
    });
    this.publisher.connect().catch(() => undefined);
    // queued until Redis answers (a process may start before Redis), then renewed after every reconnect
    this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  async publish(event: LiveEvent): Promise<void> {
    this.listeners.dispatch(event);
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ origin: this.origin, event } satisfies Envelope));
      this.warned = false;
    } catch (error) {
      // the change is committed: only other processes' listeners miss this one
      if (!this.warned) this.logger.warn({ reason: (error as Error).message, event: event.type }, 'live event not shared: Redis is away');
      this.warned = true;
    }
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
    return Promise.resolve();
  }
}

/** The entry points' choice (src/main.ts, src/cli.ts): live events over REDIS_URL, under HUB_QUEUE_PREFIX. */
export const redisEvents = (config: Config) => (logger: Logger) => new RedisEventBus(config.redisUrl, config.queuePrefix, logger);
