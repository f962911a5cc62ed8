import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { requireRole } from '../auth/auth.service.js';
import type { HubContext } from '../http/context.js';
import { connectionOf, decodeCursor, pageSize } from '../shared/connection.js';
import { formatInZone } from '../shared/scalars.js';
import { AuditEntryConnection } from './audit.types.js';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: 'OFFICE: who changed feeds, webhooks, tokens, plans and jobs, newest first' })
  async auditLog(
    @Ctx() ctx: HubContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    requireRole(ctx.principal, 'OFFICE');
    const size = pageSize(first);
    const rows = await ctx.hub.audit.page(size, decodeCursor(after));
    return connectionOf(
      rows.map((row) => ({ ...row, at: formatInZone(row.at, ctx.config.timeZone), actorTokenId: row.actorClientId })),
      size,
    );
  }
}
