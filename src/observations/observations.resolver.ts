import { Arg, Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.service.js';
import type { HubContext } from '../http/context.js';
import { PlanArgs } from '../shared/args.js';
import { resolvePlan } from '../plan/plan.service.js';
import { ObservationInput, SubmitObservationsResult } from './observations.types.js';

@Resolver()
export class ObservationResolver {
  @Authorized('AGENCY', 'OFFICE')
  @Mutation(() => SubmitObservationsResult, {
    description:
      "All-or-nothing: one bad item rejects the batch, with the item's index in the error. dryRun: validate and count, write nothing.",
  })
  async submitObservations(
    @Ctx() ctx: HubContext,
    @CurrentPrincipal() principal: Principal,
    @Arg('input', () => [ObservationInput]) input: ObservationInput[],
    @Args(() => PlanArgs) { planCode }: PlanArgs,
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun?: boolean | null,
  ): Promise<SubmitObservationsResult> {
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
