import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedRuns } from '../drizzle/schema/index.js';
import { QueueName } from '../jobs/queues.js';
import { planPath, runtimeOf, startTestHub, type TestHub } from './support/hub.js';
import { databaseUrl, redisUrl } from './support/urls.js';

// The domain owns its jobs (issue 13): services enqueue, schedule and cancel through the JobQueue port,
// in whatever process they run, and a request never hangs on a Redis that is away.

describe('runFeed with Redis stopped', () => {
  let t: TestHub;
  beforeAll(async () => {
    // nothing listens on port 1: Redis is down for this hub
    t = await startTestHub({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(() => t.close());

  it('answers SERVICE_UNAVAILABLE within 2 s and leaves no QUEUED run behind', async () => {
    const office = await t.token('OFFICE');
    const plan = (await t.hub.planRepository.plansByCodes(['shangrao-2023'])).get('shangrao-2023')!;
    const feed = await t.hub.feeds.upsert(plan, {
      agencyCode: 'REDCROSS',
      name: '红十字会急救培训',
      url: 'http://10.1.2.3/trainings',
      format: 'JSON',
      recordsPath: 'items',
      schedule: '0 3 * * *',
      mapping: { region: { field: 'county' }, date: { field: 'on' }, ref: { field: 'id' }, rules: [{ indicator: '10.2', value: 'n' }] },
    });
    const started = Date.now();
    const response = await t.gql(office, 'mutation ($id: ID!) { runFeed(id: $id) { id } }', { id: feed.id });
    const took = Date.now() - started;
    expect(response.status).toBe(503);
    expect(response.errors![0].extensions!.code).toBe('SERVICE_UNAVAILABLE');
    expect(took).toBeLessThan(2_000);
    const runs = await t.hub.db.select().from(feedRuns).where(eq(feedRuns.feedId, feed.id));
    expect(runs.filter((r) => r.status === 'QUEUED')).toEqual([]);
  });
});

describe('cli plan load of a corrected deadline', () => {
  let t: TestHub;
  let dir: string;
  beforeAll(async () => {
    t = await startTestHub({ now: '2023-07-01T10:00:00+08:00' });
    expect(await t.hub.jobs.connect()).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'hub-plan-'));
  });
  afterAll(async () => {
    await runtimeOf(t.hub).queue(QueueName.Reminder).obliterate({ force: true });
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const pending = async () =>
    (await runtimeOf(t.hub).queue(QueueName.Reminder).getDelayed())
      .map((job) => job.id!)
      .filter((id) => id.includes('/HRSS/'))
      .sort();

  it('moves the pending reminders at once, without a restart of any worker', async () => {
    // the calendar as loaded: HRSS owes rounds 2 (28 October) and 3 (23 December), four reminders each
    await t.hub.reminders.syncReminders();
    const before = await pending();
    expect(before).toHaveLength(8);
    const [, round2, round3] = (await t.hub.planRepository.roundsByPlanIds([(await t.hub.planRepository.allPlans())[0].id]))
      .values()
      .next().value!;
    expect(before.filter((id) => id.includes(`/${round2.id}/`))).toHaveLength(4);

    // the office corrects the second deadline to 30 October and loads the file with the CLI (on
    // PostgreSQL, so the CLI does the work itself: no hub process hands it on)
    const corrected = join(dir, 'shangrao-2023.yaml');
    writeFileSync(corrected, readFileSync(planPath, 'utf8').replace('dueOn: 2023-10-28', 'dueOn: 2023-10-30'));
    const { stdout } = await promisify(execFile)('node_modules/.bin/tsx', ['src/cli.ts', 'plan', 'load', corrected], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: databaseUrl(t.databaseName),
        REDIS_URL: redisUrl(),
        HUB_QUEUE_PREFIX: t.hub.config.queuePrefix,
        HUB_NOW: '2023-07-01T10:00:00+08:00',
      },
    });
    expect(stdout).toContain('plan shangrao-2023 updated');

    const rounds = (await t.hub.planRepository.roundsByPlanIds([round3.planId])).get(round3.planId)!;
    const moved = rounds.find((r) => r.dueOn === '2023-10-30')!;
    expect(moved).toBeDefined();
    const after = await pending();
    // the old round's four are gone, the moved round has its four, round 3's are untouched
    expect(after.filter((id) => id.includes(`/${round2.id}/`))).toEqual([]);
    expect(after.filter((id) => id.includes(`/${moved.id}/`))).toHaveLength(4);
    expect(after.filter((id) => id.includes(`/${round3.id}/`))).toEqual(before.filter((id) => id.includes(`/${round3.id}/`)));
    // the 7-day reminder of the moved round now goes out on 23 October at 09:00 (UTC+8): 01:00 UTC
    const job = await runtimeOf(t.hub)
      .queue(QueueName.Reminder)
      .getJob(after.find((id) => id.includes(`/${moved.id}/`) && id.endsWith('REMINDER_7D'))!);
    expect((job!.data as { sendAt: string }).sendAt).toBe('2023-10-23T01:00:00.000Z');
    // delayed from the hub's now (2023-07-01 10:00 +08:00): 113 days and 23 hours
    expect(job!.delay).toBe(Date.parse('2023-10-23T01:00:00Z') - Date.parse('2023-07-01T02:00:00Z'));
  }, 60_000);
});
