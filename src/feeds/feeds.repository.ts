import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { feedRejections, feedRuns, feeds } from '../../drizzle/schema/index.js';
import type { Db } from '../db/database.js';

export type FeedRow = typeof feeds.$inferSelect;
export type FeedRunRow = typeof feedRuns.$inferSelect;
export type FeedRejectionRow = typeof feedRejections.$inferSelect;

export class FeedRepository {
  constructor(private readonly db: Db) {}

  async all(agencyId?: number): Promise<FeedRow[]> {
    return this.db
      .select()
      .from(feeds)
      .where(agencyId === undefined ? undefined : eq(feeds.agencyId, agencyId))
      .orderBy(feeds.id);
  }

  async byIds(ids: readonly number[]): Promise<Map<number, FeedRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(feeds)
      .where(inArray(feeds.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** A page of runs, newest first; `before` is the id of the last run of the previous page. */
  async runs(feedId: number, first: number, before: number | undefined): Promise<FeedRunRow[]> {
    return this.db
      .select()
      .from(feedRuns)
      .where(and(eq(feedRuns.feedId, feedId), before === undefined ? undefined : lt(feedRuns.id, before)))
      .orderBy(desc(feedRuns.id))
      .limit(first + 1);
  }

  async runByJob(db: Db, feedId: number, jobId: string): Promise<FeedRunRow | undefined> {
    const [row] = await db
      .select()
      .from(feedRuns)
      .where(and(eq(feedRuns.feedId, feedId), eq(feedRuns.jobId, jobId)));
    return row;
  }

  async latestRunsByFeedIds(feedIds: readonly number[]): Promise<Map<number, FeedRunRow>> {
    if (feedIds.length === 0) return new Map();
    const rows = await this.db
      .selectDistinctOn([feedRuns.feedId])
      .from(feedRuns)
      .where(inArray(feedRuns.feedId, [...feedIds]))
      .orderBy(feedRuns.feedId, desc(feedRuns.id));
    return new Map(rows.map((r) => [r.feedId, r]));
  }

  /** Quarantined records of many runs, oldest first, each run's list capped at `limit`. */
  async rejectionsByRunIds(runIds: readonly number[], limit: number): Promise<Map<number, FeedRejectionRow[]>> {
    if (runIds.length === 0) return new Map();
    const rows = await this.db
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
  async unfinishedRuns(limit = 1_000): Promise<FeedRunRow[]> {
    return this.db.select().from(feedRuns).where(inArray(feedRuns.status, unfinished)).orderBy(asc(feedRuns.id)).limit(limit);
  }

  /** Marks a run FAILED with the reason, unless it finished meanwhile; true when it did. */
  async failUnfinishedRun(runId: number, reason: string, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(feedRuns)
      .set({ status: 'FAILED', error: reason.slice(0, 2_000), finishedAt: at })
      .where(and(eq(feedRuns.id, runId), inArray(feedRuns.status, unfinished)))
      .returning({ id: feedRuns.id });
    return updated.length > 0;
  }
}

const unfinished: FeedRunRow['status'][] = ['QUEUED', 'RUNNING', 'RETRYING'];
