import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { requireRole } from '../auth/auth.service.js';
import type { HubContext } from '../http/context.js';
import { resolvePlan } from '../plan/plan.service.js';
import { ObservationInput, SubmitObservationsResult } from './observations.types.js';

@Resolver()
export class ObservationResolver {
  @Mutation(() => SubmitObservationsResult, {
    description:
      "All-or-nothing: one bad item rejects the batch, with the item's index in the error. dryRun: validate and count, write nothing.",
  })
  async submitObservations(
    @Ctx() ctx: HubContext,
    @Arg('input', () => [ObservationInput]) input: ObservationInput[],
    @Arg('planCode', () => String, { nullable: true }) planCode?: string | null,
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun?: boolean | null,
  ): Promise<SubmitObservationsResult> {
    const principal = requireRole(ctx.principal, 'AGENCY', 'OFFICE');
    const plan = await resolvePlan(ctx, planCode);
    const writer = {
      source: principal.role === 'AGENCY' ? `agency:${principal.agencyCode}` : 'office',
      agencyId: principal.role === 'AGENCY' ? principal.agencyId : null,
      clientId: principal.clientId,
      feedRunId: null,
    };
    const counts = await ctx.hub.observations.submit(plan, writer, input, dryRun ?? false);
    return { ...counts, dryRun: dryRun ?? false };
  }
}
