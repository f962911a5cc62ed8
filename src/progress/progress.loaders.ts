import DataLoader from 'dataloader';
import type { PlanRow } from '../plan/plan.repository.js';
import type { PlanProgress, PlanStructure, ProgressService } from './progress.service.js';

/** Per request: a plan's structure once, and its figures once per date asked. */
export function createProgressLoaders(service: ProgressService) {
  const structures = new Map<number, Promise<PlanStructure>>();
  const structureOf = (plan: PlanRow) => {
    let pending = structures.get(plan.id);
    if (!pending) structures.set(plan.id, (pending = service.structure(plan)));
    return pending;
  };
  const snapshots = new DataLoader<{ plan: PlanRow; asOf: string }, PlanProgress, string>(
    (keys) => Promise.all(keys.map(async ({ plan, asOf }) => service.planProgress(plan, asOf, await structureOf(plan)))),
    { cacheKeyFn: ({ plan, asOf }) => `${plan.id}|${asOf}` },
  );
  return {
    structureOf,
    planProgress: (plan: PlanRow, asOf: string) => snapshots.load({ plan, asOf }),
  };
}

export type ProgressLoaders = ReturnType<typeof createProgressLoaders>;
