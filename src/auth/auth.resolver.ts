import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { tokenActor } from '../audit/audit.service.js';
import type { HubContext } from '../http/context.js';
import type { AgencyRow } from '../plan/plan.repository.js';
import { AgencyType } from '../plan/plan.types.js';
import { listOf } from '../shared/complexity.js';
import { DateScalar, formatInZone } from '../shared/scalars.js';
import { badInput } from '../shared/errors.js';
import type { ApiTokenRow } from './auth.service.js';
import { ApiTokenType, IssuedTokenType, PrincipalType, RoleEnum, UserType } from './auth.types.js';
import type { UserRow } from './users.service.js';

const expiresDescription =
  "when it stops working: a duration (90d, 12h, 2w), a date (2024-06-30: through that day in the hub's time zone) or an ISO date-time with an offset; omit: never";

function toApiToken(row: ApiTokenRow, ctx: HubContext): ApiTokenType {
  const at = (d: Date | null) => (d ? formatInZone(d, ctx.config.timeZone) : null);
  return {
    id: row.id,
    label: row.label,
    role: row.role,
    agencyId: row.agencyId,
    createdAt: at(row.createdAt)!,
    lastUsedAt: at(row.lastUsedAt),
    expiresAt: at(row.expiresAt),
    revokedAt: at(row.revokedAt),
    active: !row.revokedAt && !(row.expiresAt && row.expiresAt <= ctx.clock.now()),
  };
}

function toUser(row: UserRow, ctx: HubContext): UserType {
  const at = (d: Date | null) => (d ? formatInZone(d, ctx.config.timeZone) : null);
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: at(row.createdAt)!,
    passwordChangedAt: at(row.passwordChangedAt)!,
    lastLoginAt: at(row.lastLoginAt),
    disabledAt: at(row.disabledAt),
  };
}

/** An ID argument as a token id: a positive whole number. */
function tokenId(id: number | string): number {
  if (!/^[1-9]\d{0,9}$/.test(String(id))) throw badInput('id', 'not a token id');
  return Number(id);
}

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
    return { role: principal.role, agency: agency ?? null, label: principal.label, userName: principal.userName };
  }

  @Authorized('OFFICE')
  @Query(() => [ApiTokenType], { ...listOf(50), description: 'OFFICE: every token issued, revoked and expired ones included' })
  async apiTokens(@Ctx() ctx: HubContext): Promise<ApiTokenType[]> {
    return (await ctx.hub.tokens.list()).map((row) => toApiToken(row, ctx));
  }

  @Authorized('OFFICE')
  @Mutation(() => IssuedTokenType, { description: 'OFFICE: a new token; AGENCY tokens name their agency' })
  async issueToken(
    @Ctx() ctx: HubContext,
    @Arg('role', () => RoleEnum) role: RoleEnum,
    @Arg('agencyCode', () => String, { nullable: true }) agencyCode?: string | null,
    @Arg('label', () => String, { nullable: true }) label?: string | null,
    @Arg('expires', () => String, { nullable: true, description: expiresDescription }) expires?: string | null,
  ): Promise<IssuedTokenType> {
    const expiresAt = expires ? ctx.hub.tokens.expiry(expires) : null;
    const { token, row } = await ctx.hub.tokens.issue(
      { role, agencyCode: agencyCode ?? undefined, label: label ?? undefined, expiresAt },
      tokenActor(ctx.principal),
    );
    return { token, apiToken: toApiToken(row, ctx) };
  }

  @Authorized('OFFICE')
  @Mutation(() => ApiTokenType, { description: 'OFFICE: the token stops working at once' })
  async revokeToken(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: number): Promise<ApiTokenType> {
    return toApiToken(await ctx.hub.tokens.revoke(tokenId(id), tokenActor(ctx.principal)), ctx);
  }

  @Authorized('OFFICE')
  @Mutation(() => IssuedTokenType, {
    description:
      'OFFICE: revokes a token and issues its replacement with the same role, agency and label (and lifetime, unless expires is given)',
  })
  async rotateToken(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: number,
    @Arg('expires', () => String, { nullable: true, description: expiresDescription }) expires?: string | null,
  ): Promise<IssuedTokenType> {
    const expiresAt = expires ? ctx.hub.tokens.expiry(expires) : undefined;
    const { token, row } = await ctx.hub.tokens.rotate(tokenId(id), tokenActor(ctx.principal), expiresAt);
    return { token, apiToken: toApiToken(row, ctx) };
  }
}

@Resolver()
export class UserResolver {
  @Authorized('OFFICE')
  @Query(() => [UserType], { ...listOf(50), description: 'OFFICE: the people who may log in to the dashboard, disabled ones included' })
  async users(@Ctx() ctx: HubContext): Promise<UserType[]> {
    return (await ctx.hub.users.list()).map((row) => toUser(row, ctx));
  }

  @Authorized('OFFICE')
  @Mutation(() => UserType, { description: 'OFFICE: the person cannot log in any more, and their open sessions end at once' })
  async disableUser(@Ctx() ctx: HubContext, @Arg('name', () => String) name: string): Promise<UserType> {
    return toUser((await ctx.hub.users.disable(name, tokenActor(ctx.principal))).row, ctx);
  }

  @Authorized('OFFICE')
  @Mutation(() => UserType, { description: 'OFFICE: a disabled person may log in again, with the password they had' })
  async enableUser(@Ctx() ctx: HubContext, @Arg('name', () => String) name: string): Promise<UserType> {
    return toUser(await ctx.hub.users.enable(name, tokenActor(ctx.principal)), ctx);
  }
}

@Resolver(() => ApiTokenType)
export class ApiTokenResolver {
  @FieldResolver(() => AgencyType, { nullable: true, description: 'the agency an AGENCY token is bound to' })
  async agency(@Root() token: ApiTokenType, @Ctx() ctx: HubContext): Promise<AgencyRow | null> {
    return token.agencyId ? ((await ctx.loaders.plan.agencyById.load(token.agencyId)) ?? null) : null;
  }
}
