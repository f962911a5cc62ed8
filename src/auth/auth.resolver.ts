import { Ctx, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import { DateScalar } from '../shared/scalars.js';
import { PrincipalType, RoleEnum } from './auth.types.js';

@Resolver()
export class AuthResolver {
  @Query(() => DateScalar, { description: "today by the hub's clock (the replayed day under HUB_NOW), in the hub's time zone" })
  today(@Ctx() ctx: HubContext): string {
    return ctx.today;
  }

  @Query(() => PrincipalType, { description: 'who the token belongs to' })
  async me(@Ctx() ctx: HubContext): Promise<PrincipalType> {
    const { principal } = ctx;
    const agency = principal.agencyId ? await ctx.loaders.plan.agencyById.load(principal.agencyId) : undefined;
    return { role: principal.role as RoleEnum, agency: agency ?? null, label: principal.label };
  }
}
