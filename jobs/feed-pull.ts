import { DelayedError, type Job, type Processor } from 'bullmq';
import type { Hub } from '../src/app.js';
import { FeedPausedError } from '../src/feeds/feeds.service.js';
import { acquireLock } from './lock.js';
import type { JobRuntime } from './runtime.js';

export { feedSchedulerId } from './runtime.js';

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

const busyRetryMs = 2_000;

/** Pulls one feed. Never two pulls of one feed at once: a job that finds the feed busy waits. */
export function feedPullProcessor(hub: Hub, runtime: JobRuntime): Processor<FeedPullPayload, FeedPullResult> {
  return async (job: Job<FeedPullPayload, FeedPullResult>, token?: string) => {
    // renewed while the pull runs; a worker killed without a word frees the feed as soon as BullMQ frees its job
    const lock = await acquireLock(runtime.connection, `${runtime.prefix}:lock:feed:${job.data.feedId}`, hub.config.jobLockMs);
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
        () => runtime.closing,
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
