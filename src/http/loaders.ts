import DataLoader from 'dataloader';
import type { Hub } from '../app.js';
import { createPlanLoaders } from '../plan/plan.loaders.js';
import type { PlanRow, ProjectRow } from '../plan/plan.repository.js';
import { createProgressLoaders } from '../progress/progress.loaders.js';
import { batchLoader, once } from '../shared/loaders.js';

/** Every DataLoader of one request. Built fresh per request so nothing leaks between callers. */
export function createRequestLoaders(hub: Hub, today: string) {
  const plan = createPlanLoaders(hub.planRepository);
  const currentPlan = once(async (): Promise<PlanRow | undefined> => {
    const row = await hub.planRepository.planForDate(today);
    if (row) plan.planByCode.prime(row.code, row);
    return row;
  });

  // lead links per plan, batched over agencies
  const leadLinks = new Map<number, DataLoader<number, number[]>>();
  const leadLinksOf = (planId: number) => {
    let loader = leadLinks.get(planId);
    if (!loader) {
      loader = new DataLoader<number, number[]>(async (agencyIds) => {
        const links = await hub.planRepository.projectLinksByAgencyIds(planId, agencyIds);
        return agencyIds.map((id) => (links.get(id) ?? []).filter((l) => l.role === 'LEAD').map((l) => l.projectId));
      });
      leadLinks.set(planId, loader);
    }
    return loader;
  };

  const planFor = async (planCode: string | null | undefined) => (planCode ? plan.planByCode.load(planCode) : currentPlan());

  return {
    plan,
    progress: createProgressLoaders(hub.progress, hub.progressRepository),
    feedById: batchLoader((ids: readonly number[]) => hub.feedRepository.byIds(ids)),
    roundById: batchLoader((ids: readonly number[]) => hub.planRepository.roundsByIds(ids)),
    /** the time zone instants of a plan's records are shown in (its offset, like ReportingRound.deadline) */
    async planZone(planId: number): Promise<string> {
      return (await plan.planById.load(planId))?.timeZone ?? hub.config.timeZone;
    },
    feedRunById: batchLoader((ids: readonly number[]) => hub.feedRepository.runsByIds(ids)),
    lastRunByFeed: batchLoader((ids: readonly number[]) => hub.feedRepository.latestRunsByFeedIds(ids)),
    reportsByRound: batchLoader((ids: readonly number[]) => hub.reminders.reportsByRoundIds(ids), []),
    revisionsByReport: batchLoader((ids: readonly number[]) => hub.reminders.revisionsByReportIds(ids), []),
    leadPairsByPlan: (() => {
      const cache = new Map<number, ReturnType<Hub['reminders']['leadPairs']>>();
      return (row: PlanRow) => {
        let pending = cache.get(row.id);
        if (!pending) cache.set(row.id, (pending = hub.reminders.leadPairs(row)));
        return pending;
      };
    })(),
    rejectionsByRun: batchLoader((ids: readonly number[]) => hub.feedRepository.rejectionsByRunIds(ids, 500), []),
    currentPlan,
    planFor,
    async projectsLedBy(agencyId: number, planCode: string | null | undefined): Promise<ProjectRow[]> {
      const row = await planFor(planCode);
      if (!row) return [];
      const ids = await leadLinksOf(row.id).load(agencyId);
      const projects = await plan.projectById.loadMany(ids);
      return projects.filter((p): p is ProjectRow => !!p && !(p instanceof Error)).sort((a, b) => a.number - b.number);
    },
  };
}

export type RequestLoaders = ReturnType<typeof createRequestLoaders>;
