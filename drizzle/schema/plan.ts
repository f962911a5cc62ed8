import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// Each list of values is written once, here: the TS types below, the plan file's zod schema and the
// GraphQL enums (src/plan/plan.types.ts) are derived from `enumValues`.
export const indicatorKind = pgEnum('indicator_kind', ['TARGET', 'THRESHOLD', 'LEVEL', 'MILESTONE', 'TRACKED']);
export type IndicatorKind = (typeof indicatorKind.enumValues)[number];
export const accumulation = pgEnum('accumulation', ['SUM', 'LATEST', 'DERIVED', 'STAGES']);
export type Accumulation = (typeof accumulation.enumValues)[number];
export const regionAggregation = pgEnum('region_aggregation', ['SUM', 'MIN', 'MAX', 'RATIO']);
export type RegionAggregation = (typeof regionAggregation.enumValues)[number];
export const thresholdDirection = pgEnum('threshold_direction', ['AT_LEAST', 'AT_MOST']);
export type ThresholdDirection = (typeof thresholdDirection.enumValues)[number];
export const agencyRole = pgEnum('agency_role', ['LEAD', 'RESPONSIBLE']);
export type AgencyRole = (typeof agencyRole.enumValues)[number];
export const regionLevel = pgEnum('region_level', ['CITY', 'COUNTY', 'ZONE']);
export type RegionLevel = (typeof regionLevel.enumValues)[number];
/** Where an indicator is reported (DESIGN.md 4.1): counties and zones, 市本级 (the city code), or both. */
export const reportingLevel = pgEnum('reporting_level', ['REGIONS', 'CITY', 'BOTH']);
export type ReportingLevel = (typeof reportingLevel.enumValues)[number];

/** Agencies (单位) are shared by every plan: next year's plan names the same bureaus. */
export const agencies = pgTable('agencies', {
  id: serial().primaryKey(),
  code: text().notNull().unique(),
  name: text().notNull(),
  nameEn: text().notNull(),
  webhookUrl: text(),
  webhookSecret: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Regions (行政区划): official codes where they exist, SR-* for the functional zones. */
export const regions = pgTable('regions', {
  id: serial().primaryKey(),
  code: text().notNull().unique(),
  name: text().notNull(),
  level: regionLevel().notNull(),
  position: integer().notNull().default(0),
});

export const plans = pgTable('plans', {
  id: serial().primaryKey(),
  code: text().notNull().unique(),
  title: text().notNull(),
  documentNumber: text().notNull(),
  issuedOn: date({ mode: 'string' }).notNull(),
  periodStart: date({ mode: 'string' }).notNull(),
  periodEnd: date({ mode: 'string' }).notNull(),
  timeZone: text().notNull(),
  cityRegionId: integer()
    .notNull()
    .references(() => regions.id),
  officeAgencyId: integer().references(() => agencies.id),
  /** sha256 of the plan content last loaded: reloading the same content is a no-op */
  contentHash: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** The regions a plan covers (its city scope included). */
export const planRegions = pgTable(
  'plan_regions',
  {
    planId: integer()
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    regionId: integer()
      .notNull()
      .references(() => regions.id),
    position: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.regionId] })],
);

export const projects = pgTable(
  'projects',
  {
    id: serial().primaryKey(),
    planId: integer()
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    number: integer().notNull(),
    title: text().notNull(),
    summary: text().notNull().default(''),
  },
  (t) => [uniqueIndex('projects_plan_number_uq').on(t.planId, t.number)],
);

export const projectAgencies = pgTable(
  'project_agencies',
  {
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    agencyId: integer()
      .notNull()
      .references(() => agencies.id),
    role: agencyRole().notNull(),
    position: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.agencyId, t.role] }), index('project_agencies_agency_idx').on(t.agencyId)],
);

export const indicators = pgTable(
  'indicators',
  {
    id: serial().primaryKey(),
    planId: integer()
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    code: text().notNull(),
    position: integer().notNull(),
    name: text().notNull(),
    description: text().notNull().default(''),
    unit: text().notNull(),
    kind: indicatorKind().notNull(),
    accumulation: accumulation().notNull(),
    regionAggregation: regionAggregation().notNull(),
    direction: thresholdDirection().notNull().default('AT_LEAST'),
    target: numeric(),
    baseline: numeric(),
    weight: numeric().notNull().default('1'),
    allowNegative: integer().notNull().default(0),
    numeratorId: integer(),
    denominatorId: integer(),
    note: text().notNull().default(''),
    reportedBy: reportingLevel().notNull().default('BOTH'),
    /** 任务分解: region code → that region's own target (decimal text); empty when not decomposed */
    regionTargets: jsonb().$type<Record<string, string>>().notNull().default({}),
  },
  (t) => [
    uniqueIndex('indicators_plan_code_uq').on(t.planId, t.code),
    index('indicators_project_idx').on(t.projectId),
    check('indicators_weight_positive', sql`${t.weight} >= 0`),
  ],
);

/** MILESTONE stages, ordered, weights summing to 100. */
export const indicatorStages = pgTable(
  'indicator_stages',
  {
    id: serial().primaryKey(),
    indicatorId: integer()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    code: text().notNull(),
    position: integer().notNull(),
    name: text().notNull(),
    weight: numeric().notNull(),
  },
  (t) => [uniqueIndex('indicator_stages_code_uq').on(t.indicatorId, t.code)],
);

export const reportingRounds = pgTable(
  'reporting_rounds',
  {
    id: serial().primaryKey(),
    planId: integer()
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    dueOn: date({ mode: 'string' }).notNull(),
    title: text().notNull(),
  },
  (t) => [uniqueIndex('reporting_rounds_plan_due_uq').on(t.planId, t.dueOn)],
);
