import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import { PageArgs } from '../shared/args.js';
import { connectionOf, decodeCursor, pageSize } from '../shared/connection.js';
import { formatInZone } from '../shared/scalars.js';
import { AuditEntryConnection } from './audit.types.js';

@Resolver()
export class AuditResolver {
  @Authorized('OFFICE')
  @Query(() => AuditEntryConnection, { description: 'OFFICE: who changed feeds, webhooks, tokens, plans and jobs, newest first' })
  async auditLog(@Ctx() ctx: HubContext, @Args(() => PageArgs) { first, after }: PageArgs) {
    const size = pageSize(first);
    const rows = await ctx.hub.audit.page(size, decodeCursor(after));
    return connectionOf(
      rows.map((row) => ({ ...row, at: formatInZone(row.at, ctx.config.timeZone), actorTokenId: row.actorClientId })),
      size,
    );
  }
}
