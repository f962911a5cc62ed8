import { createHmac } from 'node:crypto';
import type { Principal } from '../auth/auth.service.js';
import type { Db } from '../db/database.js';
import type { PlanRepository, PlanRow, ProjectRow, RoundRow } from '../plan/plan.repository.js';
import type { Clock } from '../shared/clock.js';
import { AppError, ErrorCode, badInput, forbidden, notFound } from '../shared/errors.js';
import { formatInZone } from '../shared/scalars.js';
import type { SecretBox } from '../shared/secret-box.js';
import { assertTargetAllowed, targetProblem, type TargetPolicy } from '../shared/targets.js';
import type { JobQueue } from '../shared/job-queue.js';
import type { EventBus } from '../shared/event-bus.js';
import { recordAudit, type Actor } from '../audit/audit.service.js';
import {
  deadlineOf,
  escalationGraceDays,
  escalationText,
  notificationKey,
  reminderDaysBefore,
  reminderJobId,
  reminderText,
  sendTimeOf,
  type LatePair,
  type NotificationKind,
  type ReminderKind,
} from './reminders.schedule.js';
import {
  ReminderRepository,
  type NotificationFilter,
  type NotificationRow,
  type ReportRevisionRow,
  type ReportRow,
} from './reminders.repository.js';

export type { NotificationRow, ReportRevisionRow, ReportRow };

export const maxReportLength = 20_000;
export const maxLinks = 20;

export interface ProgressReportInput {
  roundId: number;
  projectNumber: number;
  text: string;
  links?: string[] | null;
}

/** One reminder or escalation the calendar calls for. */
export interface PlannedNotification {
  planId: number;
  planCode: string;
  roundId: number;
  dueOn: string;
  agencyId: number;
  agencyCode: string;
  kind: NotificationKind;
  sendAt: Date;
}

export interface LeadPair {
  agencyId: number;
  project: ProjectRow;
}

export interface ReminderPayload {
  planId: number;
  roundId: number;
  agencyId: number;
  kind: NotificationKind;
  /** ISO instant the notification is due: a job that fires early waits for it */
  sendAt: string;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The webhook signature: HMAC-SHA256 of the exact body with the agency's secret, GitHub-style. */
export const signBody = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

export const maxLinkLength = 2_048;
export const maxWebhookUrlLength = 2_048;
export const maxWebhookSecretLength = 256;

export class ReminderService {
  /** the reports, the inbox and the webhooks; the ledger reads the last reports through it too */
  readonly repository = new ReminderRepository(this.db);

  constructor(
    private readonly db: Db,
    private readonly plans: PlanRepository,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    /** where webhooks may point (HUB_ALLOW_LOOPBACK_TARGETS) */
    readonly targets: TargetPolicy,
    private readonly jobs: JobQueue,
    private readonly events: EventBus,
  ) {}

  /**
   * Puts every reminder and escalation the calendars still call for into the job queue, and takes out
   * pending ones they no longer call for (a corrected deadline). Idempotent: deterministic job ids, so a
   * restart, a second replica or a plan loaded twice adds nothing.
   */
  async syncReminders(plans?: PlanRow[]): Promise<number> {
    const now = this.clock.now();
    let added = 0;
    for (const plan of plans ?? (await this.plans.allPlans())) {
      const reminders = (await this.planned(plan, now)).map((planned) => ({
        jobId: reminderJobId(plan.code, planned.roundId, planned.agencyCode, planned.kind),
        sendAt: planned.sendAt,
        payload: {
          planId: planned.planId,
          roundId: planned.roundId,
          agencyId: planned.agencyId,
          kind: planned.kind,
          sendAt: planned.sendAt.toISOString(),
        },
      }));
      added += await this.jobs.scheduleReminders(plan.code, reminders, now);
    }
    return added;
  }

  /**
   * A progress report, new or revised. Once the agency owes nothing more for the round, its remaining
   * reminders are dropped (best effort: a reminder that fires checks again whether it is owed).
   */
  async submitReport(principal: Principal, plan: PlanRow, input: ProgressReportInput): Promise<ReportRow> {
    const report = await this.writeReport(principal, plan, input);
    const agency = (await this.plans.agenciesByIds([report.agencyId])).get(report.agencyId)!;
    await this.jobs.bestEffort('cancelling fulfilled reminders', async () => {
      const owed = (await this.owed(plan, report.roundId)).get(report.agencyId) ?? [];
      if (owed.length > 0) return;
      await this.jobs.cancelReminders(reminderDaysBefore.map(([kind]) => reminderJobId(plan.code, report.roundId, agency.code, kind)));
    });
    return report;
  }

  /** Every (lead agency, project) pair of a plan, in project order. */
  async leadPairs(plan: PlanRow): Promise<LeadPair[]> {
    const projects = (await this.plans.projectsByPlanIds([plan.id])).get(plan.id) ?? [];
    const links = await this.plans.projectAgenciesByProjectIds(projects.map((p) => p.id));
    return projects.flatMap((project) =>
      (links.get(project.id) ?? []).filter((l) => l.role === 'LEAD').map((l) => ({ agencyId: l.agencyId, project })),
    );
  }

  async reportsByRoundIds(roundIds: readonly number[]): Promise<Map<number, ReportRow[]>> {
    return this.repository.reportsByRoundIds(roundIds);
  }

  /** What each lead agency still owes for a round: the projects it leads with no report yet. */
  async owed(plan: PlanRow, roundId: number): Promise<Map<number, ProjectRow[]>> {
    const [pairs, reports] = await Promise.all([this.leadPairs(plan), this.reportsByRoundIds([roundId])]);
    const done = new Set((reports.get(roundId) ?? []).map((r) => `${r.agencyId}|${r.projectId}`));
    const owed = new Map<number, ProjectRow[]>();
    for (const pair of pairs) {
      if (done.has(`${pair.agencyId}|${pair.project.id}`)) continue;
      owed.set(pair.agencyId, [...(owed.get(pair.agencyId) ?? []), pair.project]);
    }
    return owed;
  }

  /**
   * The notifications the calendar calls for from `now` on: reminders for agencies that still owe a
   * report, and each round's escalation. Send times already past are left out (no flood of stale
   * reminders at start-up), except an escalation missed by less than a week, which is sent at once.
   */
  async planned(plan: PlanRow, now: Date): Promise<PlannedNotification[]> {
    const rounds = (await this.plans.roundsByPlanIds([plan.id])).get(plan.id) ?? [];
    const agencyRows = await this.plans.allAgencies();
    const codeOf = new Map(agencyRows.map((a) => [a.id, a.code]));
    const planned: PlannedNotification[] = [];
    for (const round of rounds) {
      const owed = await this.owed(plan, round.id);
      for (const [kind] of reminderDaysBefore) {
        const sendAt = sendTimeOf(round.dueOn, kind, plan.timeZone);
        if (sendAt <= now) continue;
        for (const agencyId of owed.keys()) {
          planned.push({
            planId: plan.id,
            planCode: plan.code,
            roundId: round.id,
            dueOn: round.dueOn,
            agencyId,
            agencyCode: codeOf.get(agencyId)!,
            kind,
            sendAt,
          });
        }
      }
      const escalationAt = sendTimeOf(round.dueOn, 'ESCALATION', plan.timeZone);
      const fresh = now.getTime() - escalationAt.getTime() < escalationGraceDays * 24 * 3600 * 1000;
      if (plan.officeAgencyId !== null && fresh) {
        planned.push({
          planId: plan.id,
          planCode: plan.code,
          roundId: round.id,
          dueOn: round.dueOn,
          agencyId: plan.officeAgencyId,
          agencyCode: codeOf.get(plan.officeAgencyId)!,
          kind: 'ESCALATION',
          sendAt: escalationAt,
        });
      }
    }
    return planned.sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime() || a.agencyCode.localeCompare(b.agencyCode));
  }

  /**
   * Sends one reminder or escalation if it is still owed, exactly once: the inbox row is keyed by
   * (round, agency, kind), so a second worker, a retry or a duplicate job inserts nothing.
   */
  async fire(payload: ReminderPayload): Promise<NotificationRow | undefined> {
    const plan = (await this.plans.plansByIds([payload.planId])).get(payload.planId);
    const round = (await this.plans.roundsByIds([payload.roundId])).get(payload.roundId);
    if (!plan || !round) return undefined;
    const agency = (await this.plans.agenciesByIds([payload.agencyId])).get(payload.agencyId);
    if (!agency) return undefined;
    const text =
      payload.kind === 'ESCALATION'
        ? await this.escalation(plan, round)
        : await this.reminder(plan, round, payload.agencyId, payload.kind, agency.name);
    if (!text) return undefined;
    const row = await this.repository.insertNotificationOnce({
      dedupeKey: notificationKey(round.id, agency.id, payload.kind),
      agencyId: agency.id,
      planId: plan.id,
      roundId: round.id,
      kind: payload.kind,
      title: text.title,
      body: text.body,
      payload: {
        planCode: plan.code,
        roundId: round.id,
        dueOn: round.dueOn,
        deadline: formatInZone(deadlineOf(round.dueOn, plan.timeZone), plan.timeZone),
        ...text.payload,
      },
      scheduledFor: new Date(payload.sendAt),
      createdAt: this.clock.now(),
      deliveryStatus: agency.webhookUrl ? 'PENDING' : 'NONE',
    });
    // written (not a duplicate of one sent before): live subscribers get it too
    if (row) void this.events.publish({ type: 'notification', notificationId: row.id, agencyId: row.agencyId });
    return row;
  }

  /**
   * A notification already sent whose webhook delivery never got queued (the worker died in between):
   * the caller queues it again; the delivery job's id keeps it to one delivery.
   */
  async pendingDelivery(payload: ReminderPayload): Promise<NotificationRow | undefined> {
    const row = await this.repository.notificationByKey(notificationKey(payload.roundId, payload.agencyId, payload.kind));
    return row?.deliveryStatus === 'PENDING' ? row : undefined;
  }

  private async reminder(plan: PlanRow, round: RoundRow, agencyId: number, kind: ReminderKind, agencyName: string) {
    // checked again when the job fires: a report that arrived since cancels it
    const owed = (await this.owed(plan, round.id)).get(agencyId) ?? [];
    if (owed.length === 0) return undefined;
    const projects = owed.map((p) => ({ number: p.number, title: p.title }));
    return { ...reminderText(kind, round.title, round.dueOn, agencyName, projects), payload: { projects } };
  }

  private async escalation(plan: PlanRow, round: RoundRow) {
    const late = await this.latePairs(plan, round);
    return { ...escalationText(round.title, round.dueOn, late), payload: { late } };
  }

  /** The pairs with no report by the deadline: never submitted, or submitted late. */
  async latePairs(plan: PlanRow, round: RoundRow): Promise<LatePair[]> {
    const [pairs, reports, agencyRows] = await Promise.all([
      this.leadPairs(plan),
      this.reportsByRoundIds([round.id]),
      this.plans.allAgencies(),
    ]);
    const byPair = new Map((reports.get(round.id) ?? []).map((r) => [`${r.agencyId}|${r.projectId}`, r]));
    const agency = new Map(agencyRows.map((a) => [a.id, a]));
    return pairs
      .filter((p) => !byPair.get(`${p.agencyId}|${p.project.id}`)?.onTime)
      .map((p) => {
        const report = byPair.get(`${p.agencyId}|${p.project.id}`);
        return {
          agencyCode: agency.get(p.agencyId)!.code,
          agencyName: agency.get(p.agencyId)!.name,
          number: p.project.number,
          title: p.project.title,
          submittedAt: report ? formatInZone(report.submittedAt, plan.timeZone) : null,
        };
      });
  }

  /** A lead agency reports on a project it leads. Revisable; after the deadline accepted and marked late. */
  private async writeReport(principal: Principal, plan: PlanRow, input: ProgressReportInput): Promise<ReportRow> {
    const round = (await this.plans.roundsByIds([input.roundId])).get(input.roundId);
    if (!round || round.planId !== plan.id) throw notFound(`reporting round ${input.roundId} in plan ${plan.code}`, 'input.roundId');
    const project = ((await this.plans.projectsByPlanIds([plan.id])).get(plan.id) ?? []).find((p) => p.number === input.projectNumber);
    if (!project) throw notFound(`project ${input.projectNumber} in plan ${plan.code}`, 'input.projectNumber');
    const leads = ((await this.plans.projectAgenciesByProjectIds([project.id])).get(project.id) ?? []).filter((l) => l.role === 'LEAD');
    let agencyId: number;
    if (principal.role === 'AGENCY') {
      if (!leads.some((l) => l.agencyId === principal.agencyId)) {
        throw forbidden(`your agency does not lead project ${project.number}; only its lead agencies report on it`, 'input.projectNumber');
      }
      agencyId = principal.agencyId;
    } else {
      throw forbidden('progress reports come from the lead agencies (an AGENCY token)');
    }
    const text = input.text.trim();
    if (text.length === 0) throw badInput('input.text', 'the report is empty');
    if (text.length > maxReportLength) throw badInput('input.text', `at most ${maxReportLength} characters, not ${text.length}`);
    const links = input.links ?? [];
    if (links.length > maxLinks) throw badInput('input.links', `at most ${maxLinks} links`);
    links.forEach((link, i) => {
      if (link.length > maxLinkLength) throw badInput(`input.links[${i}]`, `a link is at most ${maxLinkLength} characters`);
      if (!isHttpUrl(link)) throw badInput(`input.links[${i}]`, 'a link is an http or https URL');
    });

    const now = this.clock.now();
    const late = now > deadlineOf(round.dueOn, plan.timeZone);
    return this.db.transaction(async (tx) => {
      const existing = await this.repository.reportForUpdate({ roundId: round.id, projectId: project.id, agencyId }, tx);
      const report = existing
        ? await this.repository.updateReport(existing.id, { text, links, revision: existing.revision + 1, revisedAt: now }, tx)
        : await this.repository.insertReport(
            {
              roundId: round.id,
              projectId: project.id,
              agencyId,
              text,
              links,
              revision: 1,
              submittedAt: now,
              revisedAt: now,
              onTime: !late,
            },
            tx,
          );
      await this.repository.insertReportRevision(
        { reportId: report.id, revision: report.revision, text, links, submittedAt: now, late, clientId: principal.clientId },
        tx,
      );
      return report;
    });
  }

  async revisionsByReportIds(ids: readonly number[]): Promise<Map<number, ReportRevisionRow[]>> {
    return this.repository.revisionsByReportIds(ids);
  }

  /** The inbox, newest first: one agency's, or (office) everyone's. */
  notificationById(id: number): Promise<NotificationRow | undefined> {
    return this.repository.notificationById(id);
  }

  async listNotifications(filter: NotificationFilter, first: number, before?: number): Promise<NotificationRow[]> {
    return this.repository.notifications(filter, first, before);
  }

  async markRead(agencyId: number, ids: number[]): Promise<number> {
    return this.repository.markRead(agencyId, ids, this.clock.now());
  }

  /** Sets (or, with no URL, removes) an agency's webhook, and records who did it; the secret is never recorded. */
  async configureWebhook(
    agencyCode: string,
    url: string | null,
    secret: string,
    actor: Actor,
    secretSource: 'given' | 'generated',
  ): Promise<void> {
    if (url !== null && url.length > maxWebhookUrlLength) throw badInput('url', `at most ${maxWebhookUrlLength} characters`);
    if (url !== null && !isHttpUrl(url)) throw badInput('url', 'a webhook URL is an http or https URL');
    const refused = url === null ? undefined : targetProblem(new URL(url), this.targets);
    if (refused) throw badInput('url', refused);
    if (secret.length > maxWebhookSecretLength) throw badInput('secret', `at most ${maxWebhookSecretLength} characters`);
    const sealedSecret = url === null ? null : this.secrets.seal(secret, 'agencies.webhook_secret');
    const found = await this.repository.setWebhook(agencyCode, { url, sealedSecret }, this.clock.now());
    if (!found) throw notFound(`agency ${agencyCode}`, 'agencyCode');
    await recordAudit(this.db, this.clock, actor, {
      action: url ? 'webhook.configure' : 'webhook.remove',
      target: `webhook of ${agencyCode}`,
      details: { url, secret: url ? secretSource : null },
    });
  }

  /**
   * One delivery attempt of a notification to its agency's webhook. Throws so the job is retried;
   * the last failed attempt marks the notification FAILED for the office to see.
   */
  async deliver(notificationId: number, attempt: number, finalAttempt: boolean, timeoutMs = 10_000): Promise<void> {
    const row = await this.repository.deliveryTarget(notificationId);
    if (!row || row.notification.deliveryStatus === 'DELIVERED') return;
    if (!row.url || !row.secret) {
      await this.repository.updateDelivery(notificationId, { deliveryStatus: 'NONE' });
      return;
    }
    const n = row.notification;
    const body = JSON.stringify({
      id: String(n.id),
      kind: n.kind,
      agencyCode: row.agencyCode,
      title: n.title,
      body: n.body,
      scheduledFor: n.scheduledFor.toISOString(),
      createdAt: n.createdAt.toISOString(),
      ...n.payload,
    });
    let error: string | undefined;
    try {
      // checked again after resolving the name: a stored URL that now means loopback is not called
      await assertTargetAllowed(row.url, this.targets);
      const response = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(body, this.secrets.open(row.secret, 'agencies.webhook_secret')),
          'x-hub-event': n.kind === 'ESCALATION' ? 'escalation' : 'reminder',
          'x-hub-delivery': String(n.id),
        },
        body,
        // a redirect would carry a signed body somewhere nobody configured: not followed
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 300 && response.status < 400) error = `HTTP ${response.status} redirect (not followed)`;
      else if (!response.ok) error = `HTTP ${response.status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e as Error).message;
    }
    await this.repository.updateDelivery(
      notificationId,
      error === undefined
        ? { deliveryStatus: 'DELIVERED', deliveredAt: this.clock.now(), deliveryAttempts: attempt, deliveryError: null }
        : { deliveryStatus: finalAttempt ? 'FAILED' : 'PENDING', deliveryAttempts: attempt, deliveryError: error },
    );
    if (error !== undefined) throw new AppError(ErrorCode.Unavailable, `webhook delivery failed: ${error}`);
  }
}
