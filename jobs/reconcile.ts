import type { Job, Queue } from 'bullmq';
import type { Hub } from '../src/app.js';
import type { FeedPullPayload } from './feed-pull.js';
import { QueueName } from './queues.js';
import { webhookJobId, type JobRuntime } from './runtime.js';

/**
 * The reconciler: the database says what should be happening (a feed run not finished, a delivery
 * still pending), Redis says what is (a job waiting, running, failed, or gone: a Redis restarted
 * without persistence, a worker killed twice so BullMQ failed its job as stalled). Where the job is
 * gone or lost its workers, the run is resumed from its last committed page (same job id, so a run
 * is never pulled twice); where it failed for good, the run or delivery is marked FAILED with the
 * reason, so the office sees every one and none stays RUNNING or PENDING forever.
 */

/** A run whose workers died this many times is failed rather than resumed again. */
export const maxResumes = 3;

export interface ReconcileReport {
  runsResumed: number;
  runsFailed: number;
  deliveriesQueued: number;
  deliveriesFailed: number;
}

type JobState = Awaited<ReturnType<Job['getState']>>;
const alive = new Set<JobState>(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
const lostItsWorker = (job: Job) => /stalled/i.test(job.failedReason ?? '');

export async function reconcile(hub: Hub, runtime: JobRuntime): Promise<ReconcileReport> {
  const report: ReconcileReport = { runsResumed: 0, runsFailed: 0, deliveriesQueued: 0, deliveriesFailed: 0 };
  await reconcileRuns(hub, runtime, report);
  await reconcileDeliveries(hub, runtime, report);
  if (Object.values(report).some((n) => n > 0)) hub.logger.info(report, 'reconciled feed runs and deliveries with their jobs');
  return report;
}

async function reconcileRuns(hub: Hub, runtime: JobRuntime, report: ReconcileReport): Promise<void> {
  const queue = runtime.queue(QueueName.FeedPull) as Queue<FeedPullPayload & { resumes?: number }>;
  for (const run of await hub.feedRepository.unfinishedRuns()) {
    const job = await queue.getJob(run.jobId);
    const fail = async (reason: string) => {
      if (await hub.feedRepository.failUnfinishedRun(run.id, reason, hub.clock.now())) {
        report.runsFailed += 1;
        hub.logger.warn({ runId: run.id, feedId: run.feedId, reason }, 'feed run marked failed by the reconciler');
      }
    };
    if (!job) {
      // the job is gone (Redis lost it): queue it again under its id; the pull resumes the run
      await queue.add(
        QueueName.FeedPull,
        { feedId: run.feedId, trigger: run.trigger, resumes: 1 },
        { jobId: run.jobId, attempts: hub.config.feedAttempts, backoff: { type: 'exponential', delay: hub.config.feedBackoffMs } },
      );
      report.runsResumed += 1;
      hub.logger.warn({ runId: run.id, feedId: run.feedId }, 'feed run had no job: queued again to resume');
      continue;
    }
    const state = await job.getState();
    if (alive.has(state)) continue;
    if (state === 'failed' && lostItsWorker(job)) {
      const resumes = job.data.resumes ?? 0;
      if (resumes >= maxResumes) {
        await fail(`the run lost its worker ${resumes + 1} times (${job.failedReason}); start it again with runFeed`);
        continue;
      }
      await job.updateData({ ...job.data, resumes: resumes + 1 });
      try {
        await job.retry('failed');
        report.runsResumed += 1;
        hub.logger.warn({ runId: run.id, feedId: run.feedId, resumes: resumes + 1 }, 'feed run lost its worker: resumed');
      } catch {
        // another worker's reconciler retried it first
      }
      continue;
    }
    if (state === 'failed') await fail(`the job failed: ${job.failedReason ?? 'no reason given'}`);
    else if (state === 'completed') await fail('the job ended without finishing the run');
  }
}

async function reconcileDeliveries(hub: Hub, runtime: JobRuntime, report: ReconcileReport): Promise<void> {
  const queue = runtime.queue(QueueName.Webhook);
  const { repository } = hub.reminders;
  for (const notification of await repository.pendingDeliveries()) {
    const job = await queue.getJob(webhookJobId(notification.id));
    if (!job) {
      // its delivery job was lost: the job id keeps it to one delivery even if two reconcilers race
      await runtime.queueWebhook(notification.id);
      report.deliveriesQueued += 1;
      continue;
    }
    const state = await job.getState();
    if (alive.has(state)) continue;
    const reason =
      state === 'failed' ? `delivery job failed: ${job.failedReason ?? 'no reason given'}` : 'delivery job ended without a result';
    if (await repository.failPendingDelivery(notification.id, reason)) report.deliveriesFailed += 1;
  }
}

/** Runs the reconciler now and then every `intervalMs` (one round at a time); returns its stop. */
export function startReconciler(hub: Hub, runtime: JobRuntime, intervalMs: number): { runNow: () => void; stop: () => Promise<void> } {
  let running: Promise<unknown> | undefined;
  const runNow = () => {
    if (running || !runtime.available || runtime.closing) return;
    running = reconcile(hub, runtime)
      .catch((error: unknown) =>
        hub.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'reconciler round failed'),
      )
      .finally(() => (running = undefined));
  };
  runNow();
  const timer = setInterval(runNow, intervalMs);
  timer.unref();
  return {
    runNow,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
