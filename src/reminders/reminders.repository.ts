import { and, asc, desc, eq, inArray, isNull, lt, lte, max } from 'drizzle-orm';
import { agencies, notifications, progressReportRevisions, progressReports, reportingRounds } from '../../drizzle/schema/index.js';
import type { Db } from '../db/database.js';

export type ReportRow = typeof progressReports.$inferSelect;
export type NewReportRow = typeof progressReports.$inferInsert;
export type ReportRevisionRow = typeof progressReportRevisions.$inferSelect;
export type NewReportRevisionRow = typeof progressReportRevisions.$inferInsert;
export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotificationRow = typeof notifications.$inferInsert;

export interface NotificationFilter {
  agencyId?: number;
  unreadOnly?: boolean;
  deliveryStatus?: NotificationRow['deliveryStatus'];
}

/** A notification with where its webhook goes (the secret still sealed). */
export interface DeliveryTarget {
  notification: NotificationRow;
  agencyCode: string;
  url: string | null;
  secret: string | null;
}

/**
 * Progress reports (with their revisions), the notifications inbox with its webhook deliveries, and
 * the agencies' webhook settings. Every method takes an optional transaction (`db`).
 */
export class ReminderRepository {
  constructor(private readonly db: Db) {}

  async reportsByRoundIds(roundIds: readonly number[], db: Db = this.db): Promise<Map<number, ReportRow[]>> {
    if (roundIds.length === 0) return new Map();
    const rows = await db
      .select()
      .from(progressReports)
      .where(inArray(progressReports.roundId, [...roundIds]));
    const map = new Map<number, ReportRow[]>();
    for (const row of rows) map.set(row.roundId, [...(map.get(row.roundId) ?? []), row]);
    return map;
  }

  /** One agency's report on a project for a round, locked until the transaction ends (revisions are numbered). */
  async reportForUpdate(key: { roundId: number; projectId: number; agencyId: number }, db: Db = this.db): Promise<ReportRow | undefined> {
    const [row] = await db
      .select()
      .from(progressReports)
      .where(
        and(
          eq(progressReports.roundId, key.roundId),
          eq(progressReports.projectId, key.projectId),
          eq(progressReports.agencyId, key.agencyId),
        ),
      )
      .for('update');
    return row;
  }

  async insertReport(values: NewReportRow, db: Db = this.db): Promise<ReportRow> {
    const [row] = await db.insert(progressReports).values(values).returning();
    return row;
  }

  async updateReport(id: number, changes: Partial<NewReportRow>, db: Db = this.db): Promise<ReportRow> {
    const [row] = await db.update(progressReports).set(changes).where(eq(progressReports.id, id)).returning();
    return row;
  }

  async insertReportRevision(values: NewReportRevisionRow, db: Db = this.db): Promise<void> {
    await db.insert(progressReportRevisions).values(values);
  }

  async revisionsByReportIds(ids: readonly number[], db: Db = this.db): Promise<Map<number, ReportRevisionRow[]>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select()
      .from(progressReportRevisions)
      .where(inArray(progressReportRevisions.reportId, [...ids]))
      .orderBy(asc(progressReportRevisions.revision));
    const map = new Map<number, ReportRevisionRow[]>();
    for (const row of rows) map.set(row.reportId, [...(map.get(row.reportId) ?? []), row]);
    return map;
  }

  /** When the last progress report on each project arrived, counting those that had arrived by `until`. */
  async lastReportTimes(projectIds: readonly number[], until: Date, db: Db = this.db): Promise<Map<number, Date>> {
    if (projectIds.length === 0) return new Map();
    const rows = await db
      .select({ projectId: progressReports.projectId, last: max(progressReports.submittedAt) })
      .from(progressReports)
      .innerJoin(reportingRounds, eq(reportingRounds.id, progressReports.roundId))
      .where(and(inArray(progressReports.projectId, [...projectIds]), lte(progressReports.submittedAt, until)))
      .groupBy(progressReports.projectId);
    return new Map(rows.flatMap((r) => (r.last ? [[r.projectId, r.last] as const] : [])));
  }

  /**
   * Each project's latest progress report as it stood at `until` (the revision then current, so a
   * later rewrite does not change a past 台账): when it was sent and its text.
   */
  async latestReportsAsOf(projectIds: readonly number[], until: Date, db: Db = this.db): Promise<Map<number, { at: Date; text: string }>> {
    if (projectIds.length === 0) return new Map();
    const rows = await db
      .selectDistinctOn([progressReports.projectId], {
        projectId: progressReports.projectId,
        at: progressReportRevisions.submittedAt,
        text: progressReportRevisions.text,
      })
      .from(progressReportRevisions)
      .innerJoin(progressReports, eq(progressReports.id, progressReportRevisions.reportId))
      .where(and(inArray(progressReports.projectId, [...projectIds]), lte(progressReportRevisions.submittedAt, until)))
      .orderBy(progressReports.projectId, desc(progressReportRevisions.submittedAt), desc(progressReportRevisions.id));
    return new Map(rows.map((r) => [r.projectId, { at: r.at, text: r.text }]));
  }

  /** Writes a notification once: another with the same dedupe key already there, nothing is written (undefined). */
  async insertNotificationOnce(values: NewNotificationRow, db: Db = this.db): Promise<NotificationRow | undefined> {
    const [row] = await db.insert(notifications).values(values).onConflictDoNothing({ target: notifications.dedupeKey }).returning();
    return row;
  }

  async notificationByKey(dedupeKey: string, db: Db = this.db): Promise<NotificationRow | undefined> {
    const [row] = await db.select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
    return row;
  }

  async notificationById(id: number, db: Db = this.db): Promise<NotificationRow | undefined> {
    const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
    return row;
  }

  /** The inbox, newest first, one more than `first` (to tell whether a next page exists). */
  async notifications(filter: NotificationFilter, first: number, before?: number, db: Db = this.db): Promise<NotificationRow[]> {
    return db
      .select()
      .from(notifications)
      .where(
        and(
          filter.agencyId === undefined ? undefined : eq(notifications.agencyId, filter.agencyId),
          filter.unreadOnly ? isNull(notifications.readAt) : undefined,
          filter.deliveryStatus ? eq(notifications.deliveryStatus, filter.deliveryStatus) : undefined,
          before === undefined ? undefined : lt(notifications.id, before),
        ),
      )
      .orderBy(desc(notifications.id))
      .limit(first + 1);
  }

  /** Marks an agency's unread notifications among `ids` read; answers how many were. */
  async markRead(agencyId: number, ids: readonly number[], at: Date, db: Db = this.db): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await db
      .update(notifications)
      .set({ readAt: at })
      .where(and(eq(notifications.agencyId, agencyId), inArray(notifications.id, [...ids]), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return rows.length;
  }

  async deliveryTarget(notificationId: number, db: Db = this.db): Promise<DeliveryTarget | undefined> {
    const [row] = await db
      .select({ notification: notifications, url: agencies.webhookUrl, secret: agencies.webhookSecret, agencyCode: agencies.code })
      .from(notifications)
      .innerJoin(agencies, eq(agencies.id, notifications.agencyId))
      .where(eq(notifications.id, notificationId));
    return row;
  }

  async updateDelivery(
    notificationId: number,
    changes: Partial<Pick<NewNotificationRow, 'deliveryStatus' | 'deliveryAttempts' | 'deliveryError' | 'deliveredAt'>>,
    db: Db = this.db,
  ): Promise<void> {
    await db.update(notifications).set(changes).where(eq(notifications.id, notificationId));
  }

  /** Notifications whose webhook delivery is still to be made, oldest first: the reconciler's worklist. */
  async pendingDeliveries(limit = 1_000, db: Db = this.db): Promise<NotificationRow[]> {
    return db.select().from(notifications).where(eq(notifications.deliveryStatus, 'PENDING')).orderBy(asc(notifications.id)).limit(limit);
  }

  /** Marks a delivery FAILED with the reason, unless it was delivered meanwhile; true when it did. */
  async failPendingDelivery(id: number, reason: string, db: Db = this.db): Promise<boolean> {
    const updated = await db
      .update(notifications)
      .set({ deliveryStatus: 'FAILED', deliveryError: reason.slice(0, 2_000) })
      .where(and(eq(notifications.id, id), eq(notifications.deliveryStatus, 'PENDING')))
      .returning({ id: notifications.id });
    return updated.length > 0;
  }

  /** Sets an agency's webhook (the secret sealed by the caller); false when there is no such agency. */
  async setWebhook(
    agencyCode: string,
    webhook: { url: string | null; sealedSecret: string | null },
    at: Date,
    db: Db = this.db,
  ): Promise<boolean> {
    const rows = await db
      .update(agencies)
      .set({ webhookUrl: webhook.url, webhookSecret: webhook.sealedSecret, updatedAt: at })
      .where(eq(agencies.code, agencyCode))
      .returning({ id: agencies.id });
    return rows.length > 0;
  }
}
