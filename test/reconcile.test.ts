import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { feedRuns, notifications } from '../drizzle/schema/index.js';
import { QueueName } from '../jobs/queues.js';
import { reconcile } from '../jobs/reconcile.js';
import { queryRows } from '../src/db/database.js';
import type { FeedRow, FeedRunRow } from '../src/feeds/feeds.repository.js';
import { startTestHub, type TestHub, runtimeOf } from './support/hub.js';
import { pollUntil, spawnHub, type HubProcess } from './support/spawned-hub.js';
import { databaseUrl, redisUrl } from './support/urls.js';

// A slow bureau feed of 50 pages × 100 training records (10.2, one person each): 5,000 people in all,
// so a run that writes any record twice, or loses a page, cannot add up to exactly 5000.
const pages = 50;
const perPage = 100;

function startSlowFeed(delayMs: number): Promise<Server> {
  const server = createServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
    const items =
      page > pages
        ? []
        : Array.from({ length: perPage }, (_, i) => ({ id: `T-${page}-${i}`, county: '361102', on: '2023-05-01', people: '1' }));
    setTimeout(() => res.setHeader('content-type', 'application/json').end(JSON.stringify({ items })), delayMs);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the reconciler', () => {
  let t: TestHub;
  let feed: FeedRow;
  let server: Server;
  const workers: HubProcess[] = [];
  const workerEnv = () => ({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(t.databaseName),
    REDIS_URL: redisUrl(),
    HUB_QUEUE_PREFIX: t.hub.config.queuePrefix,
    HUB_NOW: '2023-07-01T10:00:00+08:00',
    HUB_ALLOW_LOOPBACK_TARGETS: 'true',
    HUB_SECRET_KEY: 'a'.repeat(64),
    HUB_JOB_LOCK_MS: '2000',
    HUB_RECONCILE_INTERVAL_MS: '1000',
  });
  const worker = async () => {
    const w = spawnHub('worker', workerEnv());
    workers.push(w);
    await w.waitFor(/workers started/);
    return w;
  };
  const runOf = (id: number) =>
    t.hub.db
      .select()
      .from(feedRuns)
      .where(eq(feedRuns.id, id))
      .then((rows) => rows[0]);

  beforeAll(async () => {
    t = await startTestHub({ env: { HUB_ALLOW_LOOPBACK_TARGETS: 'true' } });
    expect(await t.hub.jobs.connect()).toBe(true);
    server = await startSlowFeed(150);
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    feed = await t.hub.feeds.upsert(plan, {
      agencyCode: 'REDCROSS',
      name: '红十字会急救培训',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trainings`,
      format: 'JSON',
      recordsPath: 'items',
      schedule: '0 3 1 1 *',
      pagination: { type: 'PAGE', pageParam: 'page', sizeParam: 'size', pageSize: perPage },
      mapping: {
        region: { field: 'county' },
        date: { field: 'on' },
        ref: { field: 'id' },
        rules: [{ indicator: '10.2', value: 'people' }],
      },
    });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
  });
  afterAll(async () => {
    server?.close();
    await t?.close();
  });

  // what runFeed does: the run row first (so it can be shown at once), then its job
  const runFeed = async () => {
    const jobId = `manual-${feed.id}-${randomUUID()}`;
    const run = await t.hub.feeds.queueRun(feed, jobId);
    await t.hub.jobs.enqueueFeedPull(feed.id, jobId);
    return run.id;
  };
  const trained = async () =>
    (
      await queryRows<{ n: number; total: string | null }>(
        t.hub.db,
        sql`select count(*)::int as n, sum(o.value)::text as total from observations o join indicators i on i.id = o.indicator_id
            where i.code = '10.2'`,
      )
    )[0];

  it('resumes a run whose worker was killed twice, and it ends with every record exactly once', async () => {
    const runId = await runFeed();
    const first = await worker();
    await pollUntil('first worker writes 5 pages', async () => ((await runOf(runId)).pages >= 5 ? true : false));
    first.child.kill('SIGKILL');
    await first.exited;

    // the second worker gets the job once the first one's lock runs out (BullMQ: stalled once)
    const second = await worker();
    const pagesBefore = (await runOf(runId)).pages;
    await pollUntil('second worker resumes', async () => ((await runOf(runId)).pages >= pagesBefore + 5 ? true : false));
    second.child.kill('SIGKILL');
    await second.exited;
    const stuck = await runOf(runId);
    expect(stuck.status).toBe('RUNNING');

    // stalled a second time BullMQ fails the job; the third worker's reconciler resumes the run
    const third = await worker();
    const done = (await pollUntil(
      'the run finishes',
      async () => {
        const run = await runOf(runId);
        return run.status === 'SUCCEEDED' || run.status === 'FAILED' ? run : false;
      },
      60_000,
    )) as FeedRunRow;
    expect([done.status, done.pages, done.fetched, done.accepted, done.rejected]).toEqual([
      'SUCCEEDED',
      pages + 1,
      pages * perPage,
      5000,
      0,
    ]);
    // 5,000 distinct records, 5,000 people: no page written twice
    expect(await trained()).toEqual({ n: 5000, total: '5000' });
    expect(third.output()).toMatch(/lost its worker: resumed|no job: queued again/);
  }, 120_000);

  it('queues again a run whose job Redis lost, and it completes', async () => {
    // a queued run whose job vanished (as after a Redis restart without persistence)
    const runId = await runFeed();
    const queue = runtimeOf(t.hub).queue(QueueName.FeedPull);
    const [run] = await t.hub.db.select().from(feedRuns).where(eq(feedRuns.id, runId));
    await (await queue.getJob(run.jobId))!.remove();
    expect(await queue.getJob(run.jobId)).toBeUndefined();
    const report = await reconcile(t.hub, runtimeOf(t.hub));
    expect(report.runsResumed).toBe(1);
    // a second round (another worker's) adds nothing: same job id
    expect((await reconcile(t.hub, runtimeOf(t.hub))).runsResumed).toBe(0);
    await worker();
    const done = (await pollUntil(
      'the run finishes after its job was queued again',
      async () => {
        const r = await runOf(runId);
        return r.status === 'SUCCEEDED' ? r : false;
      },
      60_000,
    )) as FeedRunRow;
    // the data was there already: pulling it again changes nothing
    expect([done.fetched, done.unchanged, done.created]).toEqual([5000, 5000, 0]);
    expect(await trained()).toEqual({ n: 5000, total: '5000' });
  }, 90_000);

  it('fails a delivery whose job failed without saying so, and queues one whose job is gone', async () => {
    // two reminders that still await delivery, as a crash between the notice and its job leaves them
    const agency = (await t.hub.planRepository.agenciesByCodes(['HRSS'])).get('HRSS')!;
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    const [round] = (await t.hub.planRepository.roundsByPlanIds([plan.id])).get(plan.id)!;
    const [gone, failed] = await t.hub.db
      .insert(notifications)
      .values(
        (['REMINDER_7D', 'REMINDER_3D'] as const).map((kind) => ({
          agencyId: agency.id,
          planId: plan.id,
          roundId: round.id,
          kind,
          dedupeKey: `reconcile-test-${kind}`,
          title: '提醒',
          body: '请报送进展',
          payload: { planCode: plan.code, roundId: round.id, dueOn: round.dueOn, deadline: `${round.dueOn}T23:59:59.999+08:00` },
          scheduledFor: t.clock.now(),
          createdAt: t.clock.now(),
          deliveryStatus: 'PENDING' as const,
        })),
      )
      .returning();
    const webhooks = runtimeOf(t.hub).queue(QueueName.Webhook);
    // the failed one's job failed for good while the database still says PENDING
    const failing = new Worker(QueueName.Webhook, () => Promise.reject(new Error('job stalled more than allowable limit')), {
      connection: new Redis(redisUrl(), { maxRetriesPerRequest: null }),
      prefix: t.hub.config.queuePrefix,
    });
    const job = await webhooks.add(QueueName.Webhook, { notificationId: failed.id }, { jobId: `webhook-${failed.id}`, attempts: 1 });
    await pollUntil('the job is failed', async () => ((await job.getState()) === 'failed' ? true : false));
    await failing.close();

    const report = await reconcile(t.hub, runtimeOf(t.hub));
    expect(report).toMatchObject({ deliveriesQueued: 1, deliveriesFailed: 1 });
    expect(await webhooks.getJob(`webhook-${gone.id}`)).toBeDefined();
    const [row] = await t.hub.db.select().from(notifications).where(eq(notifications.id, failed.id));
    expect([row.deliveryStatus, row.deliveryError]).toEqual(['FAILED', 'delivery job failed: job stalled more than allowable limit']);
  });
});
