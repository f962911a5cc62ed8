import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { NotificationPayload } from '../../src/reminders/reminders.schedule.js';
import { apiClients } from './auth.js';
import { agencies, plans, projects, reportingRounds } from './plan.js';

/** A lead agency's progress report (进展情况) on one project for one round; revisions kept below. */
export const progressReports = pgTable(
  'progress_reports',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    roundId: integer()
      .notNull()
      .references(() => reportingRounds.id, { onDelete: 'cascade' }),
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    agencyId: integer()
      .notNull()
      .references(() => agencies.id),
    text: text().notNull(),
    links: jsonb().$type<string[]>().notNull(),
    revision: integer().notNull(),
    /** when the first version arrived: what on time or late is judged by */
    submittedAt: timestamp({ withTimezone: true }).notNull(),
    revisedAt: timestamp({ withTimezone: true }).notNull(),
    onTime: boolean().notNull(),
  },
  (t) => [uniqueIndex('progress_reports_uq').on(t.roundId, t.projectId, t.agencyId)],
);

export const progressReportRevisions = pgTable(
  'progress_report_revisions',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    reportId: bigint({ mode: 'number' })
      .notNull()
      .references(() => progressReports.id, { onDelete: 'cascade' }),
    revision: integer().notNull(),
    text: text().notNull(),
    links: jsonb().$type<string[]>().notNull(),
    submittedAt: timestamp({ withTimezone: true }).notNull(),
    late: boolean().notNull(),
    clientId: integer().references(() => apiClients.id),
  },
  (t) => [uniqueIndex('progress_report_revisions_uq').on(t.reportId, t.revision)],
);

export const notificationKind = pgEnum('notification_kind', ['REMINDER_7D', 'REMINDER_3D', 'REMINDER_1D', 'REMINDER_DUE', 'ESCALATION']);
export type NotificationKind = (typeof notificationKind.enumValues)[number];
export const deliveryStatus = pgEnum('delivery_status', ['NONE', 'PENDING', 'DELIVERED', 'FAILED']);
export type DeliveryStatus = (typeof deliveryStatus.enumValues)[number];

/** The inbox: every reminder and escalation, once each (dedupe_key), with its webhook delivery. */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    dedupeKey: text().notNull().unique(),
    agencyId: integer()
      .notNull()
      .references(() => agencies.id),
    planId: integer()
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    roundId: integer()
      .notNull()
      .references(() => reportingRounds.id, { onDelete: 'cascade' }),
    kind: notificationKind().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    /** the round and what is owed or late: the webhook body carries it beside the text */
    payload: jsonb().$type<NotificationPayload>().notNull(),
    scheduledFor: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    readAt: timestamp({ withTimezone: true }),
    deliveryStatus: deliveryStatus().notNull(),
    deliveryAttempts: integer().notNull().default(0),
    deliveryError: text(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('notifications_agency_idx').on(t.agencyId, t.id), index('notifications_delivery_idx').on(t.deliveryStatus)],
);
