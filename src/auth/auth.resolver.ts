import { Ctx, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import { PrincipalType, RoleEnum } from './auth.types.js';

@Resolver()
export class AuthResolver {
  @Query(() => PrincipalType, { description: 'who the token belongs to' })
  async me(@Ctx() ctx: HubContext): Promise<PrincipalType> {
    const { principal } = ctx;
    const agency = principal.agencyId ? await ctx.loaders.plan.agencyById.load(principal.agencyId) : undefined;
    return { role: principal.role as RoleEnum, agency: agency ?? null, label: principal.label };
  }
}
