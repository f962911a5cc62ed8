import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  date,
  index,
  integer,
  numeric,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { apiClients } from './auth.js';
import { indicators, plans, regions } from './plan.js';

/** Orders every write: "the last received" must not depend on a clock that a replay pins. */
export const observationWriteSeq = pgSequence('observation_write_seq');

/**
 * The current revision of each fact a source has sent. (indicator, source, ref) is the key:
 * resending a ref revises the row in place; every revision is also kept in observation_revisions.
 */
export const observations = pgTable(
  'observations',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    indicatorId: integer()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    regionId: integer()
      .notNull()
      .references(() => regions.id),
    /** MILESTONE indicators: the stage reported; 0 for every other kind */
    stageId: integer().notNull().default(0),
    observedOn: date({ mode: 'string' }).notNull(),
    value: numeric().notNull(),
    /** 'agency:HRSS' for pushes, 'feed:12' for pulled feeds */
    source: text().notNull(),
    ref: text().notNull(),
    note: text(),
    revision: integer().notNull().default(1),
    /** the order writes happened in (set again on every revision): LATEST ties go to the highest */
    writeSeq: bigint({ mode: 'number' })
      .notNull()
      .default(sql`nextval('observation_write_seq')`),
    clientId: integer().references(() => apiClients.id),
    feedRunId: bigint({ mode: 'number' }),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('observations_key_uq').on(t.indicatorId, t.source, t.ref),
    index('observations_series_idx').on(t.indicatorId, t.regionId, t.stageId, t.observedOn),
  ],
);

/** Audit trail: one row per revision, the first included. Nothing is ever overwritten here. */
export const observationRevisions = pgTable(
  'observation_revisions',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    observationId: bigint({ mode: 'number' })
      .notNull()
      .references(() => observations.id, { onDelete: 'cascade' }),
    revision: integer().notNull(),
    regionId: integer().notNull(),
    stageId: integer().notNull(),
    observedOn: date({ mode: 'string' }).notNull(),
    value: numeric().notNull(),
    previousValue: numeric(),
    /** the value and unit exactly as the sender gave them, before unit conversion */
    submittedValue: text().notNull(),
    submittedUnit: text(),
    note: text(),
    clientId: integer(),
    feedRunId: bigint({ mode: 'number' }),
    recordedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('observation_revisions_uq').on(t.observationId, t.revision)],
);

/**
 * Daily roll-up kept in the same transaction as every observation write, so reads never scan
 * the raw facts: per indicator, region, stage and day, the sum of the facts and the last value received.
 */
export const indicatorDaily = pgTable(
  'indicator_daily',
  {
    indicatorId: integer()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    regionId: integer().notNull(),
    stageId: integer().notNull(),
    observedOn: date({ mode: 'string' }).notNull(),
    sumValue: numeric().notNull(),
    latestValue: numeric().notNull(),
    /** write_seq of the observation latest_value comes from: concurrent writers keep the highest */
    latestSeq: bigint({ mode: 'number' }).notNull().default(0),
    observationCount: integer().notNull(),
    lastReceivedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.indicatorId, t.regionId, t.stageId, t.observedOn] })],
);

/**
 * Monthly roll-up, kept beside the daily one in the same transaction: per indicator, region, stage
 * and calendar month, the sum of the current facts. A SUM as of a date is the months before the
 * date's month plus the days of its month up to the date: at most 11 + 31 rows per series, however
 * many observations there are and in whatever order they arrived. Writers add deltas, so two
 * writers of one month never wait on more than each other's row.
 */
export const indicatorMonthly = pgTable(
  'indicator_monthly',
  {
    indicatorId: integer()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    regionId: integer().notNull(),
    stageId: integer().notNull(),
    /** the first day of the month */
    month: date({ mode: 'string' }).notNull(),
    sumValue: numeric().notNull(),
    observationCount: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.indicatorId, t.regionId, t.stageId, t.month] })],
);

/**
 * A plan's data version: bumped in the same transaction as every write that changes a figure
 * (observations; a plan load, by trigger), so a reader that reads the version first and then the
 * figures may keep what it computed under that version: it is never older than the version says.
 */
export const planDataVersions = pgTable('plan_data_versions', {
  planId: integer()
    .primaryKey()
    .references(() => plans.id, { onDelete: 'cascade' }),
  version: bigint({ mode: 'number' }).notNull().default(1),
});
