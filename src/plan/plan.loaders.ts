import type { PlanRepository } from './plan.repository.js';
import { batchLoader, once } from '../shared/loaders.js';

/** Per-request loaders for the plan graph: each relation costs one statement per request level. */
export function createPlanLoaders(repo: PlanRepository) {
  return {
    planById: batchLoader((ids: readonly number[]) => repo.plansByIds(ids)),
    planByCode: batchLoader((codes: readonly string[]) => repo.plansByCodes(codes)),
    projectById: batchLoader((ids: readonly number[]) => repo.projectsByIds(ids)),
    projectsByPlan: batchLoader((ids: readonly number[]) => repo.projectsByPlanIds(ids), []),
    agencyLinksByProject: batchLoader((ids: readonly number[]) => repo.projectAgenciesByProjectIds(ids), []),
    indicatorsByProject: batchLoader((ids: readonly number[]) => repo.indicatorsByProjectIds(ids), []),
    indicatorsByPlan: batchLoader((ids: readonly number[]) => repo.indicatorsByPlanIds(ids), []),
    stagesByIndicator: batchLoader((ids: readonly number[]) => repo.stagesByIndicatorIds(ids), []),
    roundsByPlan: batchLoader((ids: readonly number[]) => repo.roundsByPlanIds(ids), []),
    agencyById: batchLoader((ids: readonly number[]) => repo.agenciesByIds(ids)),
    agencyByCode: batchLoader((codes: readonly string[]) => repo.agenciesByCodes(codes)),
    regionById: batchLoader((ids: readonly number[]) => repo.regionsByIds(ids)),
    regionsByPlan: batchLoader((ids: readonly number[]) => repo.regionsByPlanIds(ids), []),
    allAgencies: once(() => repo.allAgencies()),
    allRegions: once(() => repo.allRegions()),
    allPlans: once(() => repo.allPlans()),
  };
}

export type PlanLoaders = ReturnType<typeof createPlanLoaders>;
