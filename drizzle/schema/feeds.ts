import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  boolean,
} from 'drizzle-orm/pg-core';
import type { Incremental, Mapping, Pagination } from '../../src/feeds/feeds.config.js';
import type { PageState } from '../../src/feeds/feeds.fetch.js';
import { agencies, plans } from './plan.js';

export const feedFormat = pgEnum('feed_format', ['JSON', 'CSV', 'GRAPHQL']);
export type FeedFormat = (typeof feedFormat.enumValues)[number];
export const feedRunStatus = pgEnum('feed_run_status', ['QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'FAILED']);
export type FeedRunStatus = (typeof feedRunStatus.enumValues)[number];
export const feedRunTrigger = pgEnum('feed_run_trigger', ['SCHEDULE', 'MANUAL']);
export type FeedRunTrigger = (typeof feedRunTrigger.enumValues)[number];

/** A bureau feed the hub pulls on a schedule. The auth secret is stored, never returned by the API. */
export const feeds = pgTable(
  'feeds',
  {
    id: serial().primaryKey(),
    planId: integer()
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    agencyId: integer()
      .notNull()
      .references(() => agencies.id),
    name: text().notNull(),
    url: text().notNull(),
    format: feedFormat().notNull(),
    recordsPath: text(),
    graphqlQuery: text(),
    graphqlVariables: jsonb().$type<Record<string, unknown>>(),
    authHeaderName: text(),
    authHeaderValue: text(),
    schedule: text().notNull(),
    timeZone: text().notNull(),
    pagination: jsonb().$type<Pagination>().notNull(),
    incremental: jsonb().$type<Incremental>(),
    mapping: jsonb().$type<Mapping>().notNull(),
    /** the incremental position: the largest cursor-field value of the last successful run */
    cursor: text(),
    enabled: boolean().notNull().default(true),
    timeoutMs: integer().notNull(),
    maxBytes: integer().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('feeds_plan_name_uq').on(t.planId, t.name)],
);

/** One pull of a feed (one BullMQ job, across its attempts). */
export const feedRuns = pgTable(
  'feed_runs',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    feedId: integer()
      .notNull()
      .references(() => feeds.id, { onDelete: 'cascade' }),
    jobId: text().notNull(),
    trigger: feedRunTrigger().notNull(),
    status: feedRunStatus().notNull(),
    attempts: integer().notNull().default(0),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    finishedAt: timestamp({ withTimezone: true }),
    pages: integer().notNull().default(0),
    fetched: integer().notNull().default(0),
    accepted: integer().notNull().default(0),
    created: integer().notNull().default(0),
    revised: integer().notNull().default(0),
    unchanged: integer().notNull().default(0),
    rejected: integer().notNull().default(0),
    error: text(),
    cursorBefore: text(),
    cursorAfter: text(),
    /** where the next page starts: a retry resumes here instead of from the first page */
    resumeState: jsonb().$type<PageState>(),
  },
  (t) => [uniqueIndex('feed_runs_job_uq').on(t.feedId, t.jobId), index('feed_runs_feed_idx').on(t.feedId, t.id)],
);

/** Quarantine: a record that could not be mapped or validated, with its raw content and the reason. */
export const feedRejections = pgTable(
  'feed_rejections',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    feedRunId: bigint({ mode: 'number' })
      .notNull()
      .references(() => feedRuns.id, { onDelete: 'cascade' }),
    page: integer().notNull(),
    recordIndex: integer().notNull(),
    /** the record as the feed sent it (a NUL character made U+FFFD, which jsonb refuses) */
    raw: jsonb().$type<Record<string, unknown>>().notNull(),
    field: text(),
    reason: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('feed_rejections_run_idx').on(t.feedRunId, t.id)],
);
