import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { feedRejections, feedRuns, feeds } from '../../drizzle/schema/index.js';
import type { Db } from '../db/database.js';

export type FeedRow = typeof feeds.$inferSelect;
export type NewFeedRow = typeof feeds.$inferInsert;
export type FeedRunRow = typeof feedRuns.$inferSelect;
export type NewFeedRunRow = typeof feedRuns.$inferInsert;
export type FeedRejectionRow = typeof feedRejections.$inferSelect;
export type NewFeedRejectionRow = typeof feedRejections.$inferInsert;

/** What one written page adds to its run, and where the run stands after it. */
export interface PageTally {
  fetched: number;
  accepted: number;
  created: number;
  revised: number;
  unchanged: number;
  rejected: number;
  cursorAfter: string | null;
  resumeState: FeedRunRow['resumeState'];
}

/** Feeds, their runs and quarantined records. Every method takes an optional transaction (`db`). */
export class FeedRepository {
  constructor(private readonly db: Db) {}

  async all(agencyId?: number, db: Db = this.db): Promise<FeedRow[]> {
    return db
      .select()
      .from(feeds)
      .where(agencyId === undefined ? undefined : eq(feeds.agencyId, agencyId))
      .orderBy(feeds.id);
  }

  async byIds(ids: readonly number[], db: Db = this.db): Promise<Map<number, FeedRow>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select()
      .from(feeds)
      .where(inArray(feeds.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  async byName(planId: number, name: string, db: Db = this.db): Promise<FeedRow | undefined> {
    const [row] = await db
      .select()
      .from(feeds)
      .where(and(eq(feeds.planId, planId), eq(feeds.name, name)));
    return row;
  }

  /** Throws PostgreSQL's unique violation (23505) when the plan already has a feed of that name. */
  async insert(values: NewFeedRow, db: Db = this.db): Promise<FeedRow> {
    const [row] = await db.insert(feeds).values(values).returning();
    return row;
  }

  async update(id: number, changes: Partial<NewFeedRow>, db: Db = this.db): Promise<FeedRow> {
    const [row] = await db.update(feeds).set(changes).where(eq(feeds.id, id)).returning();
    return row;
  }

  /** A page of runs, newest first; `before` is the id of the last run of the previous page. */
  async runs(feedId: number, first: number, before: number | undefined, db: Db = this.db): Promise<FeedRunRow[]> {
    return db
      .select()
      .from(feedRuns)
      .where(and(eq(feedRuns.feedId, feedId), before === undefined ? undefined : lt(feedRuns.id, before)))
      .orderBy(desc(feedRuns.id))
      .limit(first + 1);
  }

  async runsByIds(ids: readonly number[], db: Db = this.db): Promise<Map<number, FeedRunRow>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select()
      .from(feedRuns)
      .where(inArray(feedRuns.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  async runByJob(feedId: number, jobId: string, db: Db = this.db): Promise<FeedRunRow | undefined> {
    const [row] = await db
      .select()
      .from(feedRuns)
      .where(and(eq(feedRuns.feedId, feedId), eq(feedRuns.jobId, jobId)));
    return row;
  }

  async latestRunsByFeedIds(feedIds: readonly number[], db: Db = this.db): Promise<Map<number, FeedRunRow>> {
    if (feedIds.length === 0) return new Map();
    const rows = await db
      .selectDistinctOn([feedRuns.feedId])
      .from(feedRuns)
      .where(inArray(feedRuns.feedId, [...feedIds]))
      .orderBy(feedRuns.feedId, desc(feedRuns.id));
    return new Map(rows.map((r) => [r.feedId, r]));
  }

  async insertRun(values: NewFeedRunRow, db: Db = this.db): Promise<FeedRunRow> {
    const [run] = await db.insert(feedRuns).values(values).returning();
    return run;
  }

  /**
   * A RUNNING run for a job attempt; a run another attempt of the same job created meanwhile (same
   * feed and job id) is taken over instead of duplicated.
   */
  async insertRunningRun(values: Omit<NewFeedRunRow, 'status'> & { attempts: number }, db: Db = this.db): Promise<FeedRunRow> {
    const [run] = await db
      .insert(feedRuns)
      .values({ ...values, status: 'RUNNING' })
      .onConflictDoUpdate({ target: [feedRuns.feedId, feedRuns.jobId], set: { status: 'RUNNING', attempts: values.attempts } })
      .returning();
    return run;
  }

  async updateRun(runId: number, changes: Partial<NewFeedRunRow>, db: Db = this.db): Promise<FeedRunRow> {
    const [run] = await db.update(feedRuns).set(changes).where(eq(feedRuns.id, runId)).returning();
    return run;
  }

  /** Adds a written page to its run's counts (in the page's transaction) and moves its position on. */
  async addPage(runId: number, page: PageTally, db: Db = this.db): Promise<FeedRunRow> {
    const [run] = await db
      .update(feedRuns)
      .set({
        pages: sql`${feedRuns.pages} + 1`,
        fetched: sql`${feedRuns.fetched} + ${page.fetched}`,
        accepted: sql`${feedRuns.accepted} + ${page.accepted}`,
        created: sql`${feedRuns.created} + ${page.created}`,
        revised: sql`${feedRuns.revised} + ${page.revised}`,
        unchanged: sql`${feedRuns.unchanged} + ${page.unchanged}`,
        rejected: sql`${feedRuns.rejected} + ${page.rejected}`,
        cursorAfter: page.cursorAfter,
        resumeState: page.resumeState,
      })
      .where(eq(feedRuns.id, runId))
      .returning();
    return run;
  }

  async insertRejections(rows: NewFeedRejectionRow[], db: Db = this.db): Promise<void> {
    if (rows.length === 0) return;
    await db.insert(feedRejections).values(rows);
  }

  /** Quarantined records of many runs, oldest first, each run's list capped at `limit`. */
  async rejectionsByRunIds(runIds: readonly number[], limit: number, db: Db = this.db): Promise<Map<number, FeedRejectionRow[]>> {
    if (runIds.length === 0) return new Map();
    const rows = await db
      .select()
      .from(feedRejections)
      .where(
        and(
          inArray(feedRejections.feedRunId, [...runIds]),
          sql`${feedRejections.id} in (select id from (select id, row_number() over (partition by feed_run_id order by id) as n
                from feed_rejections where feed_run_id = any(${sql.param([...runIds])}::bigint[])) ranked where n <= ${limit})`,
        ),
      )
      .orderBy(feedRejections.id);
    const map = new Map<number, FeedRejectionRow[]>();
    for (const row of rows) map.set(row.feedRunId, [...(map.get(row.feedRunId) ?? []), row]);
    return map;
  }

  /** Runs not yet finished (queued, running or waiting to retry), oldest first: the reconciler's worklist. */
  async unfinishedRuns(limit = 1_000, db: Db = this.db): Promise<FeedRunRow[]> {
    return db.select().from(feedRuns).where(inArray(feedRuns.status, unfinished)).orderBy(asc(feedRuns.id)).limit(limit);
  }

  /** Marks a run FAILED with the reason, unless it finished meanwhile; true when it did. */
  async failUnfinishedRun(runId: number, reason: string, at: Date, db: Db = this.db): Promise<boolean> {
    const updated = await db
      .update(feedRuns)
      .set({ status: 'FAILED', error: reason.slice(0, 2_000), finishedAt: at })
      .where(and(eq(feedRuns.id, runId), inArray(feedRuns.status, unfinished)))
      .returning({ id: feedRuns.id });
    return updated.length > 0;
  }
}

const unfinished: FeedRunRow['status'][] = ['QUEUED', 'RUNNING', 'RETRYING'];
