import DataLoader from 'dataloader';
import { badInput } from '../shared/errors.js';
import type { PlanRow } from '../plan/plan.repository.js';
import type { PlanProgress, PlanStructure, ProgressService } from './progress.service.js';

export const maxDatesPerRequest = 31;

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
  const dates = new Set<string>();
  return {
    structureOf,
    planProgress: (plan: PlanRow, asOf: string) => {
      // each date is a whole plan computed: a query may ask for a few, not thousands
      dates.add(`${plan.id}|${asOf}`);
      if (dates.size > maxDatesPerRequest) {
        throw badInput(
          'asOf',
          `at most ${maxDatesPerRequest} different dates in one request; use series or consolidatedIndicators for more`,
        );
      }
      return snapshots.load({ plan, asOf });
    },
  };
}

export type ProgressLoaders = ReturnType<typeof createProgressLoaders>;
