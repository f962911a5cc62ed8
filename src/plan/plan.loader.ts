import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import {
  agencies,
  indicatorStages,
  indicators,
  notifications,
  observations,
  progressReports,
  planRegions,
  plans,
  projectAgencies,
  projects,
  regions,
  reportingRounds,
} from '../../drizzle/schema/index.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { PlanFileError, type PlanFile, type PlanProblem } from './plan.file.js';

export interface PlanLoadResult {
  planCode: string;
  outcome: 'created' | 'updated' | 'unchanged';
  projects: number;
  indicators: number;
  /** accepted but worth a look, e.g. region targets that do not add up to the city's target */
  warnings: string[];
}

/**
 * Writes a validated plan file into the database in one transaction. Loading the same content again
 * changes nothing; a corrected file updates rows in place (matched by code), so observations stay.
 * Removing an indicator, stage or project that already holds observations is refused.
 */
export async function loadPlan(db: Db, plan: PlanFile, clock: Clock): Promise<PlanLoadResult> {
  const indicatorCount = plan.projects.reduce((n, p) => n + p.indicators.length, 0);
  const warnings = plan.warnings.map((w) => `${w.line ? `line ${w.line}, ` : ''}${w.path}: ${w.message}`);
  const summary = { planCode: plan.code, projects: plan.projects.length, indicators: indicatorCount, warnings };
  return db.transaction(async (tx) => {
    // one loader at a time per plan, even from two processes
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`plan:${plan.code}`}))`);
    const [existing] = await tx.select().from(plans).where(eq(plans.code, plan.code));
    if (existing?.contentHash === plan.contentHash) return { ...summary, outcome: 'unchanged' as const };
    const now = clock.now();

    const agencyIds = await upsertAgencies(tx, plan, now);
    const regionIds = await upsertRegions(tx, plan);
    const planValues = {
      code: plan.code,
      title: plan.title,
      documentNumber: plan.documentNumber,
      issuedOn: plan.issuedOn,
      periodStart: plan.periodStart,
      periodEnd: plan.periodEnd,
      timeZone: plan.timeZone,
      cityRegionId: regionIds.get(plan.cityRegion)!,
      officeAgencyId: plan.officeAgency ? agencyIds.get(plan.officeAgency)! : null,
      contentHash: plan.contentHash,
      updatedAt: now,
    };
    const [planRow] = await tx
      .insert(plans)
      .values({ ...planValues, createdAt: now })
      .onConflictDoUpdate({ target: plans.code, set: planValues })
      .returning({ id: plans.id });
    const planId = planRow.id;

    await tx.delete(planRegions).where(eq(planRegions.planId, planId));
    await tx.insert(planRegions).values(plan.regions.map((r, position) => ({ planId, regionId: regionIds.get(r.code)!, position })));

    await syncRounds(tx, planId, plan);
    const projectIds = await syncProjects(tx, planId, plan);
    await syncProjectAgencies(tx, plan, projectIds, agencyIds);
    await syncIndicators(tx, planId, plan, projectIds);
    return { ...summary, outcome: existing ? ('updated' as const) : ('created' as const) };
  });
}

async function upsertAgencies(tx: Db, plan: PlanFile, now: Date): Promise<Map<string, number>> {
  const rows = await tx
    .insert(agencies)
    .values(plan.agencies.map((a) => ({ ...a, createdAt: now, updatedAt: now })))
    .onConflictDoUpdate({
      target: agencies.code,
      set: { name: sql`excluded.name`, nameEn: sql`excluded.name_en`, updatedAt: now },
    })
    .returning({ id: agencies.id, code: agencies.code });
  return new Map(rows.map((r) => [r.code, r.id]));
}

async function upsertRegions(tx: Db, plan: PlanFile): Promise<Map<string, number>> {
  const rows = await tx
    .insert(regions)
    .values(plan.regions.map((r, position) => ({ ...r, position })))
    .onConflictDoUpdate({
      target: regions.code,
      set: { name: sql`excluded.name`, level: sql`excluded.level`, position: sql`excluded.position` },
    })
    .returning({ id: regions.id, code: regions.code });
  return new Map(rows.map((r) => [r.code, r.id]));
}

async function syncRounds(tx: Db, planId: number, plan: PlanFile): Promise<void> {
  const dueDates = plan.reportingRounds.map((r) => r.dueOn);
  const removed = await tx
    .select({ id: reportingRounds.id, dueOn: reportingRounds.dueOn })
    .from(reportingRounds)
    .where(and(eq(reportingRounds.planId, planId), dueDates.length ? notInArray(reportingRounds.dueOn, dueDates) : undefined));
  if (removed.length === 0) return insertRounds(tx, planId, plan);
  // a round that has reports or sent reminders is history: moving its date would erase them
  const [used] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(progressReports)
    .where(
      inArray(
        progressReports.roundId,
        removed.map((r) => r.id),
      ),
    );
  const [notified] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(
      inArray(
        notifications.roundId,
        removed.map((r) => r.id),
      ),
    );
  if (used.n > 0 || notified.n > 0) {
    throw new PlanFileError(plan.code, [
      {
        path: 'reportingRounds',
        message: `round(s) due ${removed.map((r) => r.dueOn).join(', ')} were removed but already have reports or reminders`,
      },
    ]);
  }
  await tx.delete(reportingRounds).where(
    inArray(
      reportingRounds.id,
      removed.map((r) => r.id),
    ),
  );
  return insertRounds(tx, planId, plan);
}

async function insertRounds(tx: Db, planId: number, plan: PlanFile): Promise<void> {
  if (plan.reportingRounds.length === 0) return;
  await tx
    .insert(reportingRounds)
    .values(plan.reportingRounds.map((r) => ({ planId, dueOn: r.dueOn, title: r.title })))
    .onConflictDoUpdate({ target: [reportingRounds.planId, reportingRounds.dueOn], set: { title: sql`excluded.title` } });
}

async function syncProjects(tx: Db, planId: number, plan: PlanFile): Promise<Map<number, number>> {
  const numbers = plan.projects.map((p) => p.number);
  const removed = await tx
    .select({ id: projects.id, number: projects.number })
    .from(projects)
    .where(and(eq(projects.planId, planId), notInArray(projects.number, numbers)));
  if (removed.length > 0) {
    await refuseIfObserved(
      tx,
      await tx
        .select({ id: indicators.id, code: indicators.code })
        .from(indicators)
        .where(
          inArray(
            indicators.projectId,
            removed.map((r) => r.id),
          ),
        ),
      (code) => ({ path: 'projects', message: `project of indicator ${code} was removed but the indicator holds observations` }),
      plan.code,
    );
    const [reported] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(progressReports)
      .where(
        inArray(
          progressReports.projectId,
          removed.map((r) => r.id),
        ),
      );
    if (reported.n > 0) {
      throw new PlanFileError(plan.code, [
        { path: 'projects', message: `project(s) ${removed.map((r) => r.number).join(', ')} were removed but have progress reports` },
      ]);
    }
    await tx.delete(projects).where(
      inArray(
        projects.id,
        removed.map((r) => r.id),
      ),
    );
  }
  const rows = await tx
    .insert(projects)
    .values(plan.projects.map((p) => ({ planId, number: p.number, title: p.title, summary: p.summary })))
    .onConflictDoUpdate({
      target: [projects.planId, projects.number],
      set: { title: sql`excluded.title`, summary: sql`excluded.summary` },
    })
    .returning({ id: projects.id, number: projects.number });
  return new Map(rows.map((r) => [r.number, r.id]));
}

async function syncProjectAgencies(tx: Db, plan: PlanFile, projectIds: Map<number, number>, agencyIds: Map<string, number>): Promise<void> {
  const ids = [...projectIds.values()];
  await tx.delete(projectAgencies).where(inArray(projectAgencies.projectId, ids));
  const links = plan.projects.flatMap((p) => [
    ...p.lead.map((code, position) => ({
      projectId: projectIds.get(p.number)!,
      agencyId: agencyIds.get(code)!,
      role: 'LEAD' as const,
      position,
    })),
    ...p.responsible.map((code, position) => ({
      projectId: projectIds.get(p.number)!,
      agencyId: agencyIds.get(code)!,
      role: 'RESPONSIBLE' as const,
      position,
    })),
  ]);
  if (links.length) await tx.insert(projectAgencies).values(links);
}

async function syncIndicators(tx: Db, planId: number, plan: PlanFile, projectIds: Map<number, number>): Promise<void> {
  const all = plan.projects.flatMap((p) => p.indicators.map((i) => ({ project: p.number, ...i })));
  const removed = await tx
    .select({ id: indicators.id, code: indicators.code })
    .from(indicators)
    .where(
      and(
        eq(indicators.planId, planId),
        notInArray(
          indicators.code,
          all.map((i) => i.code),
        ),
      ),
    );
  await refuseIfObserved(
    tx,
    removed,
    (code) => ({ path: 'projects', message: `indicator ${code} was removed but holds observations` }),
    plan.code,
  );
  if (removed.length)
    await tx.delete(indicators).where(
      inArray(
        indicators.id,
        removed.map((r) => r.id),
      ),
    );

  const rows = await tx
    .insert(indicators)
    .values(
      all.map((i, position) => ({
        planId,
        projectId: projectIds.get(i.project)!,
        code: i.code,
        position,
        name: i.name,
        description: i.description,
        unit: i.unit,
        kind: i.kind,
        accumulation: i.accumulation,
        regionAggregation: i.aggregation,
        direction: i.direction,
        target: i.target,
        baseline: i.baseline,
        weight: i.weight,
        allowNegative: i.allowNegative ? 1 : 0,
        note: i.note,
        reportedBy: i.reportedBy,
        regionTargets: i.regionTargets,
        numeratorId: null,
        denominatorId: null,
      })),
    )
    .onConflictDoUpdate({
      target: [indicators.planId, indicators.code],
      set: Object.fromEntries(
        (
          [
            'projectId',
            'position',
            'name',
            'description',
            'unit',
            'kind',
            'accumulation',
            'regionAggregation',
            'direction',
            'target',
            'baseline',
            'weight',
            'allowNegative',
            'note',
            'reportedBy',
            'regionTargets',
          ] as const
        ).map((column) => [column, sql.raw(`excluded.${column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`)]),
      ),
    })
    .returning({ id: indicators.id, code: indicators.code });
  const idOf = new Map(rows.map((r) => [r.code, r.id]));

  // numerator and denominator refer to indicators by code, so they are set once every id exists
  for (const i of all) {
    await tx
      .update(indicators)
      .set({
        numeratorId: i.numerator ? idOf.get(i.numerator)! : null,
        denominatorId: i.denominator ? idOf.get(i.denominator)! : null,
      })
      .where(eq(indicators.id, idOf.get(i.code)!));
  }

  for (const i of all) {
    const indicatorId = idOf.get(i.code)!;
    const removedStages = await tx
      .select({ id: indicatorStages.id, code: indicatorStages.code })
      .from(indicatorStages)
      .where(
        and(
          eq(indicatorStages.indicatorId, indicatorId),
          i.stages.length
            ? notInArray(
                indicatorStages.code,
                i.stages.map((s) => s.code),
              )
            : undefined,
        ),
      );
    if (removedStages.length) {
      const [used] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(observations)
        .where(
          inArray(
            observations.stageId,
            removedStages.map((s) => s.id),
          ),
        );
      if (used.n > 0) {
        throw new PlanFileError(plan.code, [{ path: `indicator ${i.code}`, message: 'a stage that holds observations was removed' }]);
      }
      await tx.delete(indicatorStages).where(
        inArray(
          indicatorStages.id,
          removedStages.map((s) => s.id),
        ),
      );
    }
    if (i.stages.length === 0) continue;
    await tx
      .insert(indicatorStages)
      .values(i.stages.map((s, position) => ({ indicatorId, code: s.code, name: s.name, weight: s.weight, position })))
      .onConflictDoUpdate({
        target: [indicatorStages.indicatorId, indicatorStages.code],
        set: { name: sql`excluded.name`, weight: sql`excluded.weight`, position: sql`excluded.position` },
      });
  }
}

async function refuseIfObserved(
  tx: Db,
  candidates: { id: number; code: string }[],
  describe: (code: string) => PlanProblem,
  planCode: string,
): Promise<void> {
  if (candidates.length === 0) return;
  const used = await tx
    .selectDistinct({ indicatorId: observations.indicatorId })
    .from(observations)
    .where(
      inArray(
        observations.indicatorId,
        candidates.map((c) => c.id),
      ),
    );
  if (used.length === 0) return;
  const codes = new Map(candidates.map((c) => [c.id, c.code]));
  throw new PlanFileError(
    planCode,
    used.map((u) => describe(codes.get(u.indicatorId)!)),
  );
}
