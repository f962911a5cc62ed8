import { and, asc, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import {
  agencies,
  indicatorStages,
  indicators,
  planRegions,
  plans,
  projectAgencies,
  projects,
  regions,
  reportingRounds,
} from '../../drizzle/schema/index.js';
import type { Db } from '../db/database.js';

export type PlanRow = typeof plans.$inferSelect;
export type ProjectRow = typeof projects.$inferSelect;
export type IndicatorRow = typeof indicators.$inferSelect;
export type StageRow = typeof indicatorStages.$inferSelect;
export type AgencyRow = typeof agencies.$inferSelect;
export type RegionRow = typeof regions.$inferSelect;
export type RoundRow = typeof reportingRounds.$inferSelect;
export type ProjectAgencyRow = typeof projectAgencies.$inferSelect;

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/** Thin batch reads over the plan tables: every list method takes many keys and returns a Map. */
export class PlanRepository {
  constructor(private readonly db: Db) {}

  allPlans(): Promise<PlanRow[]> {
    return this.db.select().from(plans).orderBy(asc(plans.periodStart), asc(plans.code));
  }

  async plansByCodes(codes: readonly string[]): Promise<Map<string, PlanRow>> {
    if (codes.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(plans)
      .where(inArray(plans.code, [...codes]));
    return new Map(rows.map((r) => [r.code, r]));
  }

  async plansByIds(ids: readonly number[]): Promise<Map<number, PlanRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(plans)
      .where(inArray(plans.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** The plan whose period holds the date; failing that, the latest that started before it. */
  async planForDate(date: string): Promise<PlanRow | undefined> {
    const [holding] = await this.db
      .select()
      .from(plans)
      .where(and(lte(plans.periodStart, date), gte(plans.periodEnd, date)))
      .orderBy(desc(plans.periodStart))
      .limit(1);
    if (holding) return holding;
    const [latest] = await this.db.select().from(plans).where(lte(plans.periodStart, date)).orderBy(desc(plans.periodEnd)).limit(1);
    if (latest) return latest;
    const [earliest] = await this.db.select().from(plans).orderBy(asc(plans.periodStart)).limit(1);
    return earliest;
  }

  async projectsByPlanIds(planIds: readonly number[]): Promise<Map<number, ProjectRow[]>> {
    if (planIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(projects)
      .where(inArray(projects.planId, [...planIds]))
      .orderBy(asc(projects.number));
    return groupBy(rows, (r) => r.planId);
  }

  async projectsByIds(ids: readonly number[]): Promise<Map<number, ProjectRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(projects)
      .where(inArray(projects.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  async projectAgenciesByProjectIds(projectIds: readonly number[]): Promise<Map<number, ProjectAgencyRow[]>> {
    if (projectIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(projectAgencies)
      .where(inArray(projectAgencies.projectId, [...projectIds]))
      .orderBy(asc(projectAgencies.position));
    return groupBy(rows, (r) => r.projectId);
  }

  /** Lead and responsible links of one plan, by agency: what an agency may write and what it leads. */
  async projectLinksByAgencyIds(
    planId: number,
    agencyIds: readonly number[],
  ): Promise<Map<number, (ProjectAgencyRow & { projectNumber: number })[]>> {
    if (agencyIds.length === 0) return new Map();
    const rows = await this.db
      .select({
        projectId: projectAgencies.projectId,
        agencyId: projectAgencies.agencyId,
        role: projectAgencies.role,
        position: projectAgencies.position,
        projectNumber: projects.number,
      })
      .from(projectAgencies)
      .innerJoin(projects, eq(projects.id, projectAgencies.projectId))
      .where(and(eq(projects.planId, planId), inArray(projectAgencies.agencyId, [...agencyIds])))
      .orderBy(asc(projects.number));
    return groupBy(rows, (r) => r.agencyId);
  }

  async indicatorsByProjectIds(projectIds: readonly number[]): Promise<Map<number, IndicatorRow[]>> {
    if (projectIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(indicators)
      .where(inArray(indicators.projectId, [...projectIds]))
      .orderBy(asc(indicators.position));
    return groupBy(rows, (r) => r.projectId);
  }

  async indicatorsByPlanIds(planIds: readonly number[]): Promise<Map<number, IndicatorRow[]>> {
    if (planIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(indicators)
      .where(inArray(indicators.planId, [...planIds]))
      .orderBy(asc(indicators.position));
    return groupBy(rows, (r) => r.planId);
  }

  async stagesByIndicatorIds(indicatorIds: readonly number[]): Promise<Map<number, StageRow[]>> {
    if (indicatorIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(indicatorStages)
      .where(inArray(indicatorStages.indicatorId, [...indicatorIds]))
      .orderBy(asc(indicatorStages.position));
    return groupBy(rows, (r) => r.indicatorId);
  }

  async roundsByPlanIds(planIds: readonly number[]): Promise<Map<number, RoundRow[]>> {
    if (planIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(reportingRounds)
      .where(inArray(reportingRounds.planId, [...planIds]))
      .orderBy(asc(reportingRounds.dueOn));
    return groupBy(rows, (r) => r.planId);
  }

  async roundsByIds(ids: readonly number[]): Promise<Map<number, RoundRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(reportingRounds)
      .where(inArray(reportingRounds.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  allAgencies(): Promise<AgencyRow[]> {
    return this.db.select().from(agencies).orderBy(asc(agencies.id));
  }

  async agenciesByIds(ids: readonly number[]): Promise<Map<number, AgencyRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(agencies)
      .where(inArray(agencies.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  async agenciesByCodes(codes: readonly string[]): Promise<Map<string, AgencyRow>> {
    if (codes.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(agencies)
      .where(inArray(agencies.code, [...codes]));
    return new Map(rows.map((r) => [r.code, r]));
  }

  allRegions(): Promise<RegionRow[]> {
    return this.db.select().from(regions).orderBy(asc(regions.position), asc(regions.code));
  }

  async regionsByIds(ids: readonly number[]): Promise<Map<number, RegionRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(regions)
      .where(inArray(regions.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** The regions a plan covers, in the plan file's order. */
  async regionsByPlanIds(planIds: readonly number[]): Promise<Map<number, RegionRow[]>> {
    if (planIds.length === 0) return new Map();
    const rows = await this.db
      .select({ planId: planRegions.planId, region: regions })
      .from(planRegions)
      .innerJoin(regions, eq(regions.id, planRegions.regionId))
      .where(inArray(planRegions.planId, [...planIds]))
      .orderBy(asc(planRegions.position));
    const grouped = groupBy(rows, (r) => r.planId);
    return new Map([...grouped].map(([planId, list]) => [planId, list.map((r) => r.region)]));
  }
}
