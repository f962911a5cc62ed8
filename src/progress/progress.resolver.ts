import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import { AsOfArgs, PlanArgs, RegionArgs } from '../shared/args.js';
import type { AgencyRow, IndicatorRow, PlanRow, ProjectRow, RegionRow } from '../plan/plan.repository.js';
import { resolvePlan } from '../plan/plan.service.js';
import { AgencyType, IndicatorType, PlanType, ProjectType } from '../plan/plan.types.js';
import { notFound } from '../shared/errors.js';
import { DateScalar } from '../shared/scalars.js';
import {
  asOfFor,
  computeSeries,
  consolidatedRows,
  totalRegion,
  type PlanProgress,
  type RegionFigure,
  type ShownRollup,
} from './progress.service.js';
import { IndicatorRowType, ProgressType, RegionProgressType, SeriesPointType } from './progress.types.js';
import { listOf } from '../shared/complexity.js';

/** The default "as of": today in the plan's own time zone; a later date is refused. */
const asOfOr = (ctx: HubContext, plan: PlanRow, asOf: string | null | undefined) => asOfFor(ctx.clock, plan, asOf);

async function snapshot(ctx: HubContext, planId: number, asOf: string | null | undefined): Promise<PlanProgress> {
  const plan = (await ctx.loaders.plan.planById.load(planId))!;
  return ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
}

function rollupProgress(rollup: ShownRollup | undefined, snap: PlanProgress, parts = 0): ProgressType {
  // an agency that leads no project of the plan has nothing to be judged on
  const r: ShownRollup = rollup ?? {
    value: null,
    percent: null,
    expectedPercent: snap.expected,
    shareOfCity: null,
    achieved: false,
    status: 'NOT_SCORED',
    withData: 0,
    parts,
  };
  return { ...r, asOf: snap.asOf, partsWithData: r.withData, parts: r.parts, lastObservedOn: null };
}

function figureProgress(figure: RegionFigure, asOf: string): ProgressType {
  return {
    ...figure.shown,
    asOf,
    partsWithData: null,
    parts: null,
    lastObservedOn: figure.figure.lastObservedOn,
  };
}

/** No region, or ALL: 全市 (every unit aggregated); 361100 is 市本级, the city's own unit. */
async function regionOf(ctx: HubContext, plan: PlanRow, regionCode: string | null | undefined): Promise<RegionRow> {
  if (!regionCode || regionCode === totalRegion.code) return totalRegion;
  const regions = await ctx.loaders.plan.regionsByPlan.load(plan.id);
  const region = regions.find((r) => r.code === regionCode);
  if (!region) throw notFound(`region ${regionCode} in plan ${plan.code}`, 'regionCode');
  return region;
}

@Resolver(() => PlanType)
export class PlanProgressResolver {
  @FieldResolver(() => ProgressType, {
    description: "mean of the scored projects' percents (a project with no data counts 0; TRACKED-only projects left out)",
  })
  async progress(@Root() plan: PlanRow, @Ctx() ctx: HubContext, @Args(() => AsOfArgs) { asOf }: AsOfArgs): Promise<ProgressType> {
    const snap = await ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
    return rollupProgress(snap.overall, snap);
  }
}

@Resolver(() => ProjectType)
export class ProjectProgressResolver {
  @FieldResolver(() => ProgressType, {
    description: "weighted mean of its scored indicators' percents, each capped at 100; an indicator with no data counts 0",
  })
  async progress(@Root() project: ProjectRow, @Ctx() ctx: HubContext, @Args(() => AsOfArgs) { asOf }: AsOfArgs): Promise<ProgressType> {
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
    @Args(() => AsOfArgs) { asOf }: AsOfArgs,
    @Args(() => PlanArgs) { planCode }: PlanArgs,
  ): Promise<ProgressType> {
    const plan = await resolvePlan(ctx, planCode);
    const snap = await ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
    return rollupProgress(snap.agencies.get(agency.id), snap);
  }
}

@Resolver(() => IndicatorType)
export class IndicatorProgressResolver {
  @FieldResolver(() => ProgressType, {
    description: 'as of a date: 全市 (no regionCode, or ALL: every unit aggregated), or one unit (361100 is 市本级)',
  })
  async progress(
    @Root() indicator: IndicatorRow,
    @Ctx() ctx: HubContext,
    @Args(() => AsOfArgs) { asOf }: AsOfArgs,
    @Args(() => RegionArgs) { regionCode }: RegionArgs,
  ): Promise<ProgressType> {
    const snap = await snapshot(ctx, indicator.planId, asOf);
    const region = await regionOf(ctx, snap.plan, regionCode);
    return figureProgress(snap.indicators.get(indicator.id)!.get(region.id)!, snap.asOf);
  }

  @FieldResolver(() => [RegionProgressType], {
    ...listOf(20),
    description: 'every reporting unit of the plan, 市本级 first; a TARGET without a decomposed target gives units NOT_SCORED',
  })
  async byRegion(
    @Root() indicator: IndicatorRow,
    @Ctx() ctx: HubContext,
    @Args(() => AsOfArgs) { asOf }: AsOfArgs,
  ): Promise<RegionProgressType[]> {
    const snap = await snapshot(ctx, indicator.planId, asOf);
    const figures = snap.indicators.get(indicator.id)!;
    return snap.regions.map((region) => ({ region, progress: figureProgress(figures.get(region.id)!, snap.asOf) }));
  }

  @FieldResolver(() => [SeriesPointType], { ...listOf(100), description: 'one point per day with data, each the value as of that day' })
  async series(
    @Root() indicator: IndicatorRow,
    @Ctx() ctx: HubContext,
    @Args(() => RegionArgs) { regionCode }: RegionArgs,
    @Arg('from', () => DateScalar, { nullable: true }) from?: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to?: string | null,
  ): Promise<SeriesPointType[]> {
    const plan = (await ctx.loaders.plan.planById.load(indicator.planId))!;
    const region = await regionOf(ctx, plan, regionCode);
    const structure = await ctx.loaders.progress.structureOf(plan);
    const relevant = [indicator.id, indicator.numeratorId, indicator.denominatorId].filter((id): id is number => id !== null);
    const rows = await ctx.loaders.progress.dailyRows(relevant, asOfFor(ctx.clock, plan, to, 'to'));
    return computeSeries(structure, indicator, region.id, rows, from ?? plan.periodStart);
  }
}

@Resolver()
export class ConsolidatedResolver {
  @Query(() => [IndicatorRowType], {
    ...listOf(1000),
    description:
      'One flat row per indicator: 全市 by default, one unit with regionCode (361100 is 市本级), or 全市 and every unit with "ALL"',
  })
  async consolidatedIndicators(
    @Ctx() ctx: HubContext,
    @Args(() => PlanArgs) { planCode }: PlanArgs,
    @Args(() => AsOfArgs) { asOf }: AsOfArgs,
    @Args(() => RegionArgs) { regionCode }: RegionArgs,
  ): Promise<IndicatorRowType[]> {
    const plan = await resolvePlan(ctx, planCode);
    const snap = await ctx.loaders.progress.planProgress(plan, asOfOr(ctx, plan, asOf));
    const structure = await ctx.loaders.progress.structureOf(plan);
    const regions = regionCode === totalRegion.code ? [totalRegion, ...snap.regions] : [await regionOf(ctx, plan, regionCode)];
    const agencies = new Map((await ctx.loaders.plan.allAgencies()).map((a) => [a.id, a]));
    return consolidatedRows(snap, structure, regions, agencies);
  }
}
