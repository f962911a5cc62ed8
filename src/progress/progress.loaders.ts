import DataLoader from 'dataloader';
import { badInput } from '../shared/errors.js';
import type { PlanRow } from '../plan/plan.repository.js';
import type { DailyRow, ProgressRepository } from './progress.repository.js';
import type { PlanProgress, PlanStructure, ProgressService } from './progress.service.js';

export const maxDatesPerRequest = 31;

/**
 * Per request: a plan's data version read once, first; then its structure and its figures for each
 * date asked, from the service's whole-plan cache when they are kept under that version.
 */
export function createProgressLoaders(service: ProgressService, repository: ProgressRepository) {
  const versions = new Map<number, Promise<number>>();
  const versionOf = (plan: PlanRow) => {
    let pending = versions.get(plan.id);
    if (!pending) versions.set(plan.id, (pending = service.dataVersion(plan)));
    return pending;
  };
  const structureOf = async (plan: PlanRow): Promise<PlanStructure> => service.structureAt(plan, await versionOf(plan));
  const snapshots = new DataLoader<{ plan: PlanRow; asOf: string }, PlanProgress, string>(
    (keys) => Promise.all(keys.map(async ({ plan, asOf }) => service.planProgressAt(plan, await versionOf(plan), asOf))),
    { cacheKeyFn: ({ plan, asOf }) => `${plan.id}|${asOf}` },
  );
  // series of many indicators up to one date: one read of the daily roll-up for all of them
  const dailyByDate = new Map<string, DataLoader<number, DailyRow[]>>();
  const dailyRows = async (indicatorIds: number[], to: string): Promise<DailyRow[]> => {
    let loader = dailyByDate.get(to);
    if (!loader) {
      loader = new DataLoader<number, DailyRow[]>(async (ids) => {
        const rows = await repository.dailyRows([...ids], to);
        return ids.map((id) => rows.filter((r) => r.indicatorId === id));
      });
      dailyByDate.set(to, loader);
    }
    const perIndicator = await loader.loadMany(indicatorIds);
    return perIndicator
      .flatMap((rows) => {
        if (rows instanceof Error) throw rows;
        return rows;
      })
      .sort((a, b) => a.observedOn.localeCompare(b.observedOn));
  };
  const dates = new Set<string>();
  return {
    structureOf,
    dailyRows,
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
