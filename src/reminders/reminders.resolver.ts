import { randomBytes } from 'node:crypto';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { tokenActor } from '../audit/audit.service.js';
import { CurrentAgency, CurrentPrincipal } from '../auth/auth.decorators.js';
import type { AgencyPrincipal, Principal } from '../auth/auth.service.js';
import type { HubContext } from '../http/context.js';
import { PageArgs, PlanArgs } from '../shared/args.js';
import type { AgencyRow, ProjectRow, RoundRow } from '../plan/plan.repository.js';
import { resolvePlan } from '../plan/plan.service.js';
import { ReportingRoundType } from '../plan/plan.types.js';
import { listOf } from '../shared/complexity.js';
import { connectionOf, decodeCursor, pageSize } from '../shared/connection.js';
import { badInput, forbidden, notFound } from '../shared/errors.js';
import { DateTimeScalar, formatInZone } from '../shared/scalars.js';
import type { NotificationRow, ReportRevisionRow, ReportRow } from './reminders.service.js';
import {
  DeliveryStatusEnum,
  NotificationConnection,
  NotificationType,
  PlannedNotificationType,
  ProgressReportInput,
  ProgressReportRevisionType,
  ProgressReportType,
  RoundSubmissionType,
  WebhookConfigType,
} from './reminders.types.js';

interface Submission {
  agency: AgencyRow;
  project: ProjectRow;
  /** with the plan's offset */
  submittedAt: string | null;
  onTime: boolean | null;
  report: ReportRow | null;
}

@Resolver(() => ReportingRoundType)
export class RoundSubmissionsResolver {
  @FieldResolver(() => [RoundSubmissionType], { ...listOf(30), description: 'one per lead agency and project' })
  async submissions(@Root() round: RoundRow, @Ctx() ctx: HubContext): Promise<Submission[]> {
    const plan = (await ctx.loaders.plan.planById.load(round.planId))!;
    const [pairs, reports] = await Promise.all([ctx.loaders.leadPairsByPlan(plan), ctx.loaders.reportsByRound.load(round.id)]);
    const byPair = new Map(reports.map((r) => [`${r.agencyId}|${r.projectId}`, r]));
    const agencies = await ctx.loaders.plan.agencyById.loadMany(pairs.map((p) => p.agencyId));
    const { principal } = ctx;
    return pairs.map((pair, i) => {
      const report = byPair.get(`${pair.agencyId}|${pair.project.id}`) ?? null;
      // who reported when is for everyone; the text is for the office, BI and the agency itself
      const readable = principal.role !== 'AGENCY' || principal.agencyId === pair.agencyId;
      return {
        agency: agencies[i] as AgencyRow,
        project: pair.project,
        submittedAt: report ? formatInZone(report.submittedAt, plan.timeZone) : null,
        onTime: report?.onTime ?? null,
        report: readable ? report : null,
      };
    });
  }
}

/** The time zone of the plan a report's round belongs to. */
async function reportZone(ctx: HubContext, report: ReportRow): Promise<string> {
  const round = await ctx.loaders.roundById.load(report.roundId);
  return round ? ctx.loaders.planZone(round.planId) : ctx.config.timeZone;
}

// instants carry the plan's offset, like ReportingRound.deadline: 2023-06-26T16:00:00.000+08:00, not Z
@Resolver(() => ProgressReportType)
export class ProgressReportResolver {
  @FieldResolver(() => [ProgressReportRevisionType], listOf(10))
  async revisions(
    @Root() report: ReportRow,
    @Ctx() ctx: HubContext,
  ): Promise<(Omit<ReportRevisionRow, 'submittedAt'> & { submittedAt: string })[]> {
    const [rows, zone] = await Promise.all([ctx.loaders.revisionsByReport.load(report.id), reportZone(ctx, report)]);
    return rows.map((row) => ({ ...row, submittedAt: formatInZone(row.submittedAt, zone) }));
  }

  @FieldResolver(() => DateTimeScalar)
  async submittedAt(@Root() report: ReportRow, @Ctx() ctx: HubContext): Promise<string> {
    return formatInZone(report.submittedAt, await reportZone(ctx, report));
  }

  @FieldResolver(() => DateTimeScalar)
  async revisedAt(@Root() report: ReportRow, @Ctx() ctx: HubContext): Promise<string> {
    return formatInZone(report.revisedAt, await reportZone(ctx, report));
  }
}

@Resolver(() => NotificationType)
export class NotificationResolver {
  @FieldResolver(() => Boolean)
  read(@Root() notification: NotificationRow): boolean {
    return notification.readAt !== null;
  }

  @FieldResolver(() => DateTimeScalar)
  async scheduledFor(@Root() notification: NotificationRow, @Ctx() ctx: HubContext): Promise<string> {
    return formatInZone(notification.scheduledFor, await ctx.loaders.planZone(notification.planId));
  }

  @FieldResolver(() => DateTimeScalar)
  async createdAt(@Root() notification: NotificationRow, @Ctx() ctx: HubContext): Promise<string> {
    return formatInZone(notification.createdAt, await ctx.loaders.planZone(notification.planId));
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  async readAt(@Root() notification: NotificationRow, @Ctx() ctx: HubContext): Promise<string | null> {
    return notification.readAt ? formatInZone(notification.readAt, await ctx.loaders.planZone(notification.planId)) : null;
  }
}

@Resolver()
export class ReminderResolver {
  @Authorized('AGENCY', 'OFFICE')
  @Mutation(() => ProgressReportType, {
    description: 'a lead agency reports on a project it leads; revisable; after the deadline accepted and marked late',
  })
  async submitProgressReport(
    @Ctx() ctx: HubContext,
    @CurrentPrincipal() principal: Principal,
    @Arg('input', () => ProgressReportInput) input: ProgressReportInput,
  ): Promise<ReportRow> {
    const plan = await resolvePlan(ctx, input.planCode);
    return ctx.hub.reminders.submitReport(principal, plan, { ...input, roundId: Number(input.roundId) });
  }

  @Authorized('AGENCY', 'OFFICE')
  @Query(() => NotificationConnection, { description: "the inbox, newest first: an AGENCY its own; OFFICE everyone's (or one agency's)" })
  async notifications(
    @Ctx() ctx: HubContext,
    @CurrentPrincipal() principal: Principal,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Arg('agencyCode', () => String, { nullable: true }) agencyCode?: string | null,
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly?: boolean | null,
    @Arg('deliveryStatus', () => DeliveryStatusEnum, { nullable: true }) deliveryStatus?: DeliveryStatusEnum | null,
  ) {
    let agencyId: number | undefined;
    if (principal.role === 'AGENCY') {
      if (agencyCode && agencyCode !== principal.agencyCode) throw forbidden('an agency reads only its own inbox', 'agencyCode');
      agencyId = principal.agencyId;
    } else if (agencyCode) {
      const agency = await ctx.loaders.plan.agencyByCode.load(agencyCode);
      if (!agency) throw notFound(`agency ${agencyCode}`, 'agencyCode');
      agencyId = agency.id;
    }
    const size = pageSize(first);
    const rows = await ctx.hub.reminders.listNotifications(
      { agencyId, unreadOnly: unreadOnly ?? false, deliveryStatus: deliveryStatus ?? undefined },
      size,
      decodeCursor(after),
    );
    return connectionOf(rows, size);
  }

  @Authorized('AGENCY')
  @Mutation(() => Int, { description: 'marks notifications of your inbox read; answers how many changed' })
  markNotificationsRead(
    @Ctx() ctx: HubContext,
    @CurrentAgency() principal: AgencyPrincipal,
    @Arg('ids', () => [ID]) ids: number[],
  ): Promise<number> {
    return ctx.hub.reminders.markRead(principal.agencyId, ids.map(Number));
  }

  @Authorized('OFFICE')
  @Query(() => [PlannedNotificationType], {
    ...listOf(200),
    description: 'OFFICE: the reminders and escalations still to come, with their send times',
  })
  async plannedNotifications(@Ctx() ctx: HubContext, @Args(() => PlanArgs) { planCode }: PlanArgs) {
    const plan = await resolvePlan(ctx, planCode);
    const planned = await ctx.hub.reminders.planned(plan, ctx.clock.now());
    return planned.map((p) => ({ ...p, kind: p.kind, sendAt: formatInZone(p.sendAt, plan.timeZone) }));
  }

  @Authorized('OFFICE', 'AGENCY')
  @Mutation(() => WebhookConfigType, {
    description:
      'OFFICE, or the agency itself: where its notifications are POSTed (null url: none). With no secret given, one is made and shown once.',
  })
  async configureWebhook(
    @Ctx() ctx: HubContext,
    @CurrentPrincipal() principal: Principal,
    @Arg('agencyCode', () => String) agencyCode: string,
    @Arg('url', () => String, { nullable: true }) url?: string | null,
    @Arg('secret', () => String, { nullable: true }) secret?: string | null,
  ): Promise<WebhookConfigType> {
    if (principal.role === 'AGENCY' && principal.agencyCode !== agencyCode)
      throw forbidden('an agency configures only its own webhook', 'agencyCode');
    if (secret !== undefined && secret !== null && secret.length < 16) throw badInput('secret', 'at least 16 characters');
    const signing = secret ?? randomBytes(24).toString('base64url');
    await ctx.hub.reminders.configureWebhook(agencyCode, url ?? null, signing, tokenActor(principal), secret ? 'given' : 'generated');
    return { agencyCode, url: url ?? null, secret: url ? signing : null };
  }
}
