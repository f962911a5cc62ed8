import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import { PlanArgs } from '../shared/args.js';
import { findPlan, resolvePlan } from './plan.service.js';
import type { AgencyRow, IndicatorRow, PlanRow, ProjectRow, RoundRow } from './plan.repository.js';
import {
  AgencyType,
  IndicatorType,
  PlanType,
  ProjectType,
  RegionTargetType,
  RegionType,
  ReportingRoundType,
  StageType,
} from './plan.types.js';
import { DateTimeScalar, formatInZone } from '../shared/scalars.js';
import { DateTime } from 'luxon';
import { listOf } from '../shared/complexity.js';

@Resolver()
export class PlanQueryResolver {
  @Query(() => [PlanType], listOf(10))
  plans(@Ctx() ctx: HubContext): Promise<PlanRow[]> {
    return ctx.loaders.plan.allPlans();
  }

  @Query(() => PlanType, { nullable: true, description: 'no code: the plan whose period holds today' })
  plan(@Ctx() ctx: HubContext, @Arg('code', () => String, { nullable: true }) code?: string | null): Promise<PlanRow | undefined> {
    return findPlan(ctx, code);
  }

  @Query(() => [AgencyType], listOf(30))
  agencies(@Ctx() ctx: HubContext): Promise<AgencyRow[]> {
    return ctx.loaders.plan.allAgencies();
  }

  @Query(() => [RegionType], listOf(30))
  regions(@Ctx() ctx: HubContext) {
    return ctx.loaders.plan.allRegions();
  }

  @Query(() => [ReportingRoundType], listOf(10))
  async reportingRounds(@Ctx() ctx: HubContext, @Args(() => PlanArgs) { planCode }: PlanArgs): Promise<RoundRow[]> {
    const plan = await resolvePlan(ctx, planCode);
    return ctx.loaders.plan.roundsByPlan.load(plan.id);
  }
}

@Resolver(() => PlanType)
export class PlanResolver {
  @FieldResolver(() => [ProjectType], listOf(20))
  projects(@Root() plan: PlanRow, @Ctx() ctx: HubContext): Promise<ProjectRow[]> {
    return ctx.loaders.plan.projectsByPlan.load(plan.id);
  }

  @FieldResolver(() => [ReportingRoundType], listOf(10))
  reportingRounds(@Root() plan: PlanRow, @Ctx() ctx: HubContext): Promise<RoundRow[]> {
    return ctx.loaders.plan.roundsByPlan.load(plan.id);
  }

  @FieldResolver(() => [RegionType], {
    ...listOf(30),
    description: 'the reporting units of this plan: 市本级 (the city code) first, then counties and zones',
  })
  regions(@Root() plan: PlanRow, @Ctx() ctx: HubContext) {
    return ctx.loaders.plan.regionsByPlan.load(plan.id);
  }

  @FieldResolver(() => AgencyType, { nullable: true, description: 'the agency hosting the leading-group office' })
  async officeAgency(@Root() plan: PlanRow, @Ctx() ctx: HubContext): Promise<AgencyRow | undefined> {
    return plan.officeAgencyId ? ctx.loaders.plan.agencyById.load(plan.officeAgencyId) : undefined;
  }
}

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Query(() => ProjectType, { nullable: true })
  async project(
    @Ctx() ctx: HubContext,
    @Arg('number', () => Int) number: number,
    @Args(() => PlanArgs) { planCode }: PlanArgs,
  ): Promise<ProjectRow | undefined> {
    const plan = await findPlan(ctx, planCode);
    if (!plan) return undefined;
    const projects = await ctx.loaders.plan.projectsByPlan.load(plan.id);
    return projects.find((p) => p.number === number);
  }

  @FieldResolver(() => [AgencyType], listOf(10))
  leadAgencies(@Root() project: ProjectRow, @Ctx() ctx: HubContext): Promise<AgencyRow[]> {
    return agenciesOf(ctx, project, 'LEAD');
  }

  @FieldResolver(() => [AgencyType], listOf(10))
  responsibleAgencies(@Root() project: ProjectRow, @Ctx() ctx: HubContext): Promise<AgencyRow[]> {
    return agenciesOf(ctx, project, 'RESPONSIBLE');
  }

  @FieldResolver(() => [IndicatorType], listOf(20))
  indicators(@Root() project: ProjectRow, @Ctx() ctx: HubContext): Promise<IndicatorRow[]> {
    return ctx.loaders.plan.indicatorsByProject.load(project.id);
  }

  @FieldResolver(() => PlanType)
  async plan(@Root() project: ProjectRow, @Ctx() ctx: HubContext): Promise<PlanRow> {
    return (await ctx.loaders.plan.planById.load(project.planId))!;
  }
}

async function agenciesOf(ctx: HubContext, project: ProjectRow, role: 'LEAD' | 'RESPONSIBLE'): Promise<AgencyRow[]> {
  const links = (await ctx.loaders.plan.agencyLinksByProject.load(project.id)).filter((l) => l.role === role);
  const agencies = await ctx.loaders.plan.agencyById.loadMany(links.map((l) => l.agencyId));
  return agencies.filter((a): a is AgencyRow => !!a && !(a instanceof Error));
}

@Resolver(() => IndicatorType)
export class IndicatorResolver {
  @Query(() => IndicatorType, { nullable: true })
  async indicator(
    @Ctx() ctx: HubContext,
    @Arg('code', () => String) code: string,
    @Args(() => PlanArgs) { planCode }: PlanArgs,
  ): Promise<IndicatorRow | undefined> {
    const plan = await findPlan(ctx, planCode);
    if (!plan) return undefined;
    const indicators = await ctx.loaders.plan.indicatorsByPlan.load(plan.id);
    return indicators.find((i) => i.code === code);
  }

  @FieldResolver(() => ProjectType)
  async project(@Root() indicator: IndicatorRow, @Ctx() ctx: HubContext): Promise<ProjectRow> {
    return (await ctx.loaders.plan.projectById.load(indicator.projectId))!;
  }

  @FieldResolver(() => [StageType], { ...listOf(10), description: 'MILESTONE: the stages, in order' })
  stages(@Root() indicator: IndicatorRow, @Ctx() ctx: HubContext) {
    return ctx.loaders.plan.stagesByIndicator.load(indicator.id);
  }

  @FieldResolver(() => [RegionTargetType], {
    ...listOf(20),
    description: '任务分解: the units with a target of their own (TARGET indicators); empty when not decomposed',
  })
  regionTargets(@Root() indicator: IndicatorRow): RegionTargetType[] {
    return Object.entries(indicator.regionTargets).map(([regionCode, target]) => ({ regionCode, target }));
  }

  @FieldResolver(() => String, { nullable: true, description: 'THRESHOLD: the numerator indicator code' })
  async numeratorCode(@Root() indicator: IndicatorRow, @Ctx() ctx: HubContext): Promise<string | null> {
    return codeOf(ctx, indicator, indicator.numeratorId);
  }

  @FieldResolver(() => String, { nullable: true, description: 'THRESHOLD: the denominator indicator code' })
  async denominatorCode(@Root() indicator: IndicatorRow, @Ctx() ctx: HubContext): Promise<string | null> {
    return codeOf(ctx, indicator, indicator.denominatorId);
  }
}

async function codeOf(ctx: HubContext, indicator: IndicatorRow, id: number | null): Promise<string | null> {
  if (id === null) return null;
  const siblings = await ctx.loaders.plan.indicatorsByPlan.load(indicator.planId);
  return siblings.find((s) => s.id === id)?.code ?? null;
}

@Resolver(() => AgencyType)
export class AgencyResolver {
  @FieldResolver(() => [ProjectType], {
    ...listOf(10),
    description: 'projects this agency leads (牵头), in the given plan or the current one',
  })
  async leads(@Root() agency: AgencyRow, @Ctx() ctx: HubContext, @Args(() => PlanArgs) { planCode }: PlanArgs): Promise<ProjectRow[]> {
    return ctx.loaders.projectsLedBy(agency.id, planCode);
  }
}

@Resolver(() => ReportingRoundType)
export class ReportingRoundResolver {
  @FieldResolver(() => DateTimeScalar, { description: "the end of the due day in the plan's time zone" })
  async deadline(@Root() round: RoundRow, @Ctx() ctx: HubContext): Promise<string> {
    const plan = (await ctx.loaders.plan.planById.load(round.planId))!;
    return formatInZone(deadlineOf(round.dueOn, plan.timeZone), plan.timeZone);
  }
}

/** A round's deadline: the last instant of its due day in the plan's time zone. */
export function deadlineOf(dueOn: string, timeZone: string): Date {
  return DateTime.fromISO(dueOn, { zone: timeZone }).endOf('day').toJSDate();
}
