import type { HubContext } from '../http/context.js';
import { notFound } from '../shared/errors.js';
import type { PlanRow } from './plan.repository.js';

/**
 * Resolves the `planCode` argument every query takes: the named plan, or with no code the plan
 * whose period holds today (falling back to the most recent plan, so a hub replaying last year still answers).
 */
export async function resolvePlan(ctx: HubContext, planCode: string | null | undefined): Promise<PlanRow> {
  const plan = await findPlan(ctx, planCode);
  if (!plan) throw notFound(planCode ? `plan ${planCode}` : 'a plan (none is loaded)', 'planCode');
  return plan;
}

export async function findPlan(ctx: HubContext, planCode: string | null | undefined): Promise<PlanRow | undefined> {
  return ctx.loaders.planFor(planCode);
}
