import { DelayedError, type Job, type Processor } from 'bullmq';
import type { Hub } from '../src/app.js';
import { FeedPausedError } from '../src/feeds/feeds.service.js';
import { acquireLock } from './lock.js';
import { QueueName } from './queues.js';

export interface FeedPullPayload {
  feedId: number;
  trigger: 'SCHEDULE' | 'MANUAL';
}

export interface FeedPullResult {
  runId: number;
  status: string;
  pages: number;
  fetched: number;
  rejected: number;
}

/** The scheduler id of a feed: one per feed, so upserting it again never adds a second. */
export const feedSchedulerId = (feedId: number) => `feed-${feedId}`;

const busyRetryMs = 2_000;

/** Pulls one feed. Never two pulls of one feed at once: a job that finds the feed busy waits. */
export function feedPullProcessor(hub: Hub): Processor<FeedPullPayload, FeedPullResult> {
  return async (job: Job<FeedPullPayload, FeedPullResult>, token?: string) => {
    // renewed while the pull runs; a worker killed without a word frees the feed as soon as BullMQ frees its job
    const lock = await acquireLock(hub.jobs.connection, `${hub.jobs.prefix}:lock:feed:${job.data.feedId}`, hub.config.jobLockMs);
    if (!lock) {
      await job.moveToDelayed(Date.now() + busyRetryMs, token);
      throw new DelayedError();
    }
    try {
      const attempt = job.attemptsMade + 1;
      const run = await hub.feeds.pull(
        job.data.feedId,
        job.id!,
        job.data.trigger,
        attempt,
        attempt >= (job.opts.attempts ?? 1),
        () => hub.jobs.closing,
      );
      return { runId: run.id, status: run.status, pages: run.pages, fetched: run.fetched, rejected: run.rejected };
    } catch (error) {
      if (!(error instanceof FeedPausedError)) throw error;
      // not a failure: the job waits in the queue and the next worker resumes the run
      await job.moveToDelayed(Date.now() + busyRetryMs, token);
      throw new DelayedError();
    } finally {
      await lock.release();
    }
  };
}

/**
 * Makes BullMQ's job schedulers match the enabled feeds: one per feed, created, changed and removed
 * with it. Safe to call from every worker at every start: upserting a scheduler id never duplicates it.
 */
export async function syncFeedSchedulers(hub: Hub): Promise<void> {
  const queue = hub.jobs.queue(QueueName.FeedPull);
  const wanted = (await hub.feedRepository.all()).filter((f) => f.enabled);
  const jobOptions = { attempts: hub.config.feedAttempts, backoff: { type: 'exponential' as const, delay: hub.config.feedBackoffMs } };
  for (const feed of wanted) {
    await queue.upsertJobScheduler(
      feedSchedulerId(feed.id),
      { pattern: feed.schedule, tz: feed.timeZone },
      { name: QueueName.FeedPull, data: { feedId: feed.id, trigger: 'SCHEDULE' }, opts: jobOptions },
    );
  }
  const keep = new Set(wanted.map((f) => feedSchedulerId(f.id)));
  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    if (scheduler.key.startsWith('feed-') && !keep.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
  }
}

/** Queues a pull now (runFeed). The job id is also the run's key, so the run can be shown at once. */
export async function queueFeedPull(hub: Hub, feedId: number, jobId: string): Promise<void> {
  await hub.jobs
    .queue(QueueName.FeedPull)
    .add(
      QueueName.FeedPull,
      { feedId, trigger: 'MANUAL' },
      { jobId, attempts: hub.config.feedAttempts, backoff: { type: 'exponential', delay: hub.config.feedBackoffMs } },
    );
}
