import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { tokenActor } from '../audit/audit.service.js';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.service.js';
import type { HubContext } from '../http/context.js';
import { PageArgs } from '../shared/args.js';
import type { AgencyRow } from '../plan/plan.repository.js';
import { resolvePlan } from '../plan/plan.service.js';
import { AgencyType } from '../plan/plan.types.js';
import { connectionOf, decodeCursor, pageSize } from '../shared/connection.js';
import { notFound } from '../shared/errors.js';
import type { FeedRejectionRow, FeedRow, FeedRunRow } from './feeds.repository.js';
import { recordRef } from './feeds.mapping.js';
import { FeedInput, FeedRejectionType, FeedRunConnection, FeedRunType, FeedTrialType, FeedType } from './feeds.types.js';
import { listOf } from '../shared/complexity.js';
import { DateTimeScalar, formatInZone } from '../shared/scalars.js';

/** OFFICE sees every feed; an AGENCY only its own; BI none (feeds hold the bureaus' addresses). */
async function visibleFeed(ctx: HubContext, principal: Principal, id: number): Promise<FeedRow | undefined> {
  const feed = await ctx.loaders.feedById.load(Number(id));
  return feed && (principal.role !== 'AGENCY' || feed.agencyId === principal.agencyId) ? feed : undefined;
}

async function feedFor(ctx: HubContext, principal: Principal, id: number): Promise<FeedRow> {
  const feed = await visibleFeed(ctx, principal, id);
  if (!feed) throw notFound(`feed ${id}`, 'feedId');
  return feed;
}

@Resolver()
export class FeedQueryResolver {
  @Authorized('OFFICE', 'AGENCY')
  @Query(() => [FeedType], { ...listOf(50), description: 'OFFICE: every feed; AGENCY: its own' })
  feeds(@Ctx() ctx: HubContext, @CurrentPrincipal() principal: Principal): Promise<FeedRow[]> {
    return ctx.hub.feeds.list(principal.role === 'AGENCY' ? principal.agencyId : undefined);
  }

  @Authorized('OFFICE', 'AGENCY')
  @Query(() => FeedRunConnection, { description: 'the runs of a feed, newest first' })
  async feedRuns(
    @Ctx() ctx: HubContext,
    @CurrentPrincipal() principal: Principal,
    @Arg('feedId', () => ID) feedId: number,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ) {
    const feed = await feedFor(ctx, principal, feedId);
    const size = pageSize(first);
    return connectionOf(await ctx.hub.feeds.runs(feed.id, size, decodeCursor(after)), size);
  }

  @Authorized('OFFICE', 'AGENCY')
  @Query(() => FeedRunType, { description: 'one run of a feed: follow a run runFeed queued until it has finished' })
  async feedRun(@Ctx() ctx: HubContext, @CurrentPrincipal() principal: Principal, @Arg('id', () => ID) id: number): Promise<FeedRunRow> {
    const run = await ctx.loaders.feedRunById.load(Number(id));
    // a run of another agency's feed is as unknown as a missing one
    if (!run || !(await visibleFeed(ctx, principal, run.feedId))) throw notFound(`feed run ${id}`, 'id');
    return run;
  }

  @Authorized('OFFICE')
  @Mutation(() => FeedType, { description: 'OFFICE: create or change a feed; its schedule follows' })
  async upsertFeed(@Ctx() ctx: HubContext, @Arg('input', () => FeedInput) input: FeedInput): Promise<FeedRow> {
    const plan = await resolvePlan(ctx, input.planCode);
    const id = input.id === null || input.id === undefined ? null : Number(input.id);
    return ctx.hub.feeds.save(plan, { ...input, id }, tokenActor(ctx.principal));
  }

  @Authorized('OFFICE')
  @Mutation(() => FeedTrialType, {
    description: 'OFFICE: tries a feed before it is saved: fetches the first page and answers what would be written and quarantined',
  })
  async testFeed(@Ctx() ctx: HubContext, @Arg('input', () => FeedInput) input: FeedInput): Promise<FeedTrialType> {
    const plan = await resolvePlan(ctx, input.planCode);
    const trial = await ctx.hub.feeds.tryFeed(plan, { ...input, id: null });
    return {
      ...trial,
      observations: trial.observations.map((o) => ({
        indicatorCode: o.indicatorCode,
        regionCode: o.regionCode ?? null,
        date: o.date,
        value: o.value,
        unit: o.unit ?? null,
        ref: o.ref,
        stageCode: o.stageCode ?? null,
      })),
    };
  }

  @Authorized('OFFICE', 'AGENCY')
  @Mutation(() => FeedRunType, { description: "OFFICE or the feed's agency: queue a pull now" })
  async runFeed(@Ctx() ctx: HubContext, @CurrentPrincipal() principal: Principal, @Arg('id', () => ID) id: number): Promise<FeedRunRow> {
    return ctx.hub.feeds.runNow(await feedFor(ctx, principal, id));
  }
}

@Resolver(() => FeedType)
export class FeedResolver {
  @FieldResolver(() => AgencyType)
  async agency(@Root() feed: FeedRow, @Ctx() ctx: HubContext): Promise<AgencyRow> {
    return (await ctx.loaders.plan.agencyById.load(feed.agencyId))!;
  }

  @FieldResolver(() => String)
  async planCode(@Root() feed: FeedRow, @Ctx() ctx: HubContext): Promise<string> {
    return (await ctx.loaders.plan.planById.load(feed.planId))!.code;
  }

  @FieldResolver(() => Boolean, { description: 'an auth header is stored (its value is never returned)' })
  hasAuthHeader(@Root() feed: FeedRow): boolean {
    return feed.authHeaderValue !== null;
  }

  @FieldResolver(() => FeedRunType, { nullable: true })
  lastRun(@Root() feed: FeedRow, @Ctx() ctx: HubContext): Promise<FeedRunRow | undefined> {
    return ctx.loaders.lastRunByFeed.load(feed.id);
  }
}

@Resolver(() => FeedRunType)
export class FeedRunResolver {
  @FieldResolver(() => [FeedRejectionType], {
    ...listOf(100),
    description: 'the quarantined records of this run, oldest first (at most 500)',
  })
  async rejections(@Root() run: FeedRunRow, @Ctx() ctx: HubContext): Promise<(FeedRejectionRow & { ref: string | null })[]> {
    const [rows, feed] = await Promise.all([ctx.loaders.rejectionsByRun.load(run.id), ctx.loaders.feedById.load(run.feedId)]);
    return rows.map((row) => ({ ...row, ref: (feed && recordRef(row.raw, feed.mapping.ref)) ?? null }));
  }

  @FieldResolver(() => ID)
  feedId(@Root() run: FeedRunRow): number {
    return run.feedId;
  }

  // instants carry the offset of the feed's plan, like ReportingRound.deadline
  @FieldResolver(() => DateTimeScalar)
  async startedAt(@Root() run: FeedRunRow, @Ctx() ctx: HubContext): Promise<string> {
    return formatInZone(run.startedAt, await runZone(ctx, run));
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  async finishedAt(@Root() run: FeedRunRow, @Ctx() ctx: HubContext): Promise<string | null> {
    return run.finishedAt ? formatInZone(run.finishedAt, await runZone(ctx, run)) : null;
  }
}

/** The time zone of the plan a run's feed belongs to. */
async function runZone(ctx: HubContext, run: FeedRunRow): Promise<string> {
  const feed = await ctx.loaders.feedById.load(run.feedId);
  return feed ? ctx.loaders.planZone(feed.planId) : ctx.config.timeZone;
}
