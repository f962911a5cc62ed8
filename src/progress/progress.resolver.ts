import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import type { AgencyRow, IndicatorRow, PlanRow, ProjectRow, RegionRow } from '../plan/plan.repository.js';
import { resolvePlan } from '../plan/plan.service.js';
import { AgencyType, IndicatorKind, IndicatorType, PlanType, ProjectType } from '../plan/plan.types.js';
import { dateInZone } from '../shared/clock.js';
import { notFound } from '../shared/errors.js';
import { DateScalar } from '../shared/scalars.js';
import { computeSeries, consolidatedRows, type PlanProgress, type RegionFigure, type ShownRollup } from './progress.service.js';
import { IndicatorRowType, ProgressType, RegionProgressType, SeriesPointType, StatusEnum } from './progress.types.js';
import { listOf } from '../shared/complexity.js';

/** The default "as of": today in the plan's own time zone. */
const asOfOr = (ctx: HubContext, plan: PlanRow, asOf: string | null | undefined) => asOf ?? dateInZone(ctx.clock.now(), plan.timeZone);

async function snapshot(ctx: HubContext, planId: number, asOf: string | null | undefined): Promise<PlanProgress> {
  const plan = (await ctx.loaders.plan.planById.load(planId))!;
  return ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
}

function rollupProgress(rollup: ShownRollup | undefined, snap: PlanProgress, parts = 0): ProgressType {
  const r = rollup ?? {
    value: null,
    percent: null,
    expectedPercent: snap.expected,
    achieved: false,
    status: 'NO_DATA' as const,
    withData: 0,
    parts,
  };
  return { ...r, status: r.status as StatusEnum, asOf: snap.asOf, partsWithData: r.withData, parts: r.parts, lastObservedOn: null };
}

function figureProgress(figure: RegionFigure, asOf: string): ProgressType {
  return {
    ...figure.shown,
    status: figure.shown.status as StatusEnum,
    asOf,
    partsWithData: null,
    parts: null,
    lastObservedOn: figure.figure.lastObservedOn,
  };
}

async function regionOf(ctx: HubContext, plan: PlanRow, regionCode: string | null | undefined): Promise<RegionRow> {
  const regions = await ctx.loaders.plan.regionsByPlan.load(plan.id);
  if (!regionCode) return regions.find((r) => r.id === plan.cityRegionId)!;
  const region = regions.find((r) => r.code === regionCode);
  if (!region) throw notFound(`region ${regionCode} in plan ${plan.code}`, 'regionCode');
  return region;
}

@Resolver(() => PlanType)
export class PlanProgressResolver {
  @FieldResolver(() => ProgressType, { description: "mean of the projects' percents (projects with no data left out)" })
  async progress(
    @Root() plan: PlanRow,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: string | null,
  ): Promise<ProgressType> {
    const snap = await ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
    return rollupProgress(snap.overall, snap);
  }
}

@Resolver(() => ProjectType)
export class ProjectProgressResolver {
  @FieldResolver(() => ProgressType, { description: "weighted mean of its indicators' percents, each capped at 100" })
  async progress(
    @Root() project: ProjectRow,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: string | null,
  ): Promise<ProgressType> {
    const snap = await snapshot(ctx, project.planId, asOf);
    return rollupProgress(snap.projects.get(project.id), snap);
  }
}

@Resolver(() => AgencyType)
export class AgencyProgressResolver {
  @FieldResolver(() => ProgressType, { description: 'mean of the projects it leads, in the given plan or the current one' })
  async progress(
    @Root() agency: AgencyRow,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: string | null,
    @Arg('planCode', () => String, { nullable: true }) planCode?: string | null,
  ): Promise<ProgressType> {
    const plan = await resolvePlan(ctx, planCode);
    const snap = await ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
    return rollupProgress(snap.agencies.get(agency.id), snap);
  }
}

@Resolver(() => IndicatorType)
export class IndicatorProgressResolver {
  @FieldResolver(() => ProgressType, { description: "the city value (or one region's) as of a date" })
  async progress(
    @Root() indicator: IndicatorRow,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: string | null,
    @Arg('regionCode', () => String, { nullable: true }) regionCode?: string | null,
  ): Promise<ProgressType> {
    const snap = await snapshot(ctx, indicator.planId, asOf);
    const region = await regionOf(ctx, snap.plan, regionCode);
    return figureProgress(snap.indicators.get(indicator.id)!.get(region.id)!, snap.asOf);
  }

  @FieldResolver(() => [RegionProgressType], { ...listOf(20), description: 'every region of the plan, the city scope first' })
  async byRegion(
    @Root() indicator: IndicatorRow,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: string | null,
  ): Promise<RegionProgressType[]> {
    const snap = await snapshot(ctx, indicator.planId, asOf);
    const figures = snap.indicators.get(indicator.id)!;
    return snap.regions.map((region) => ({ region, progress: figureProgress(figures.get(region.id)!, snap.asOf) }));
  }

  @FieldResolver(() => [SeriesPointType], { ...listOf(100), description: 'one point per day with data, each the value as of that day' })
  async series(
    @Root() indicator: IndicatorRow,
    @Ctx() ctx: HubContext,
    @Arg('from', () => DateScalar, { nullable: true }) from?: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to?: string | null,
    @Arg('regionCode', () => String, { nullable: true }) regionCode?: string | null,
  ): Promise<SeriesPointType[]> {
    const plan = (await ctx.loaders.plan.planById.load(indicator.planId))!;
    const region = await regionOf(ctx, plan, regionCode);
    const structure = await ctx.loaders.progress.structureOf(plan);
    const relevant = [indicator.id, indicator.numeratorId, indicator.denominatorId].filter((id): id is number => id !== null);
    const rows = await ctx.loaders.progress.dailyRows(relevant, to ?? asOfOr(ctx, plan, null));
    return computeSeries(plan, structure, indicator, region.id, rows, from ?? plan.periodStart);
  }
}

@Resolver()
export class ConsolidatedResolver {
  @Query(() => [IndicatorRowType], {
    ...listOf(1000),
    description: 'One flat row per indicator (and per region when regionCode is "ALL"): for BI tools',
  })
  async consolidatedIndicators(
    @Ctx() ctx: HubContext,
    @Arg('planCode', () => String, { nullable: true }) planCode?: string | null,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: string | null,
    @Arg('regionCode', () => String, { nullable: true }) regionCode?: string | null,
  ): Promise<IndicatorRowType[]> {
    const plan = await resolvePlan(ctx, planCode);
    const snap = await ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
    const structure = await ctx.loaders.progress.structureOf(plan);
    const regions = regionCode === 'ALL' ? snap.regions : [await regionOf(ctx, plan, regionCode)];
    const agencies = new Map((await ctx.loaders.plan.allAgencies()).map((a) => [a.id, a]));
    return consolidatedRows(snap, structure, regions, agencies).map((row) => ({
      ...row,
      kind: row.kind as IndicatorKind,
      status: row.status as StatusEnum,
      leadAgencyCodes: row.leadAgencies.map((a) => a.code),
    }));
  }
}
