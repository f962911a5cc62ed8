import { sql } from 'drizzle-orm';
import { recordAudit, type Actor } from '../audit/audit.service.js';
import { queryRows, type Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { AppError, ErrorCode, badInput } from '../shared/errors.js';

/**
 * Lets a PostgreSQL role (a BI tool's own login) read the `bi` views and call the `bi` functions and
 * nothing else. The views read the base tables with their owner's rights and the functions are
 * SECURITY DEFINER (migration 0008), so the role needs no grant on any table of the hub.
 */
export async function grantBiAccess(db: Db, role: string, clock: Clock, actor: Actor): Promise<{ views: number; functions: number }> {
  if (!/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(role)) throw badInput('role', `"${role.slice(0, 70)}" is not a PostgreSQL role name`);
  const [found] = await queryRows<{ rolname: string }>(db, sql`select rolname from pg_roles where rolname = ${role}`);
  if (!found) {
    throw new AppError(ErrorCode.NotFound, `role ${role} does not exist: create it first (CREATE ROLE ${role} LOGIN PASSWORD '…')`, {
      field: 'role',
    });
  }
  const grantee = sql.identifier(role);
  return db.transaction(async (tx) => {
    const [{ database }] = await queryRows<{ database: string }>(tx, sql`select current_database() as database`);
    await tx.execute(sql`grant connect on database ${sql.identifier(database)} to ${grantee}`);
    await tx.execute(sql`grant usage on schema bi to ${grantee}`);
    await tx.execute(sql`grant select on all tables in schema bi to ${grantee}`);
    await tx.execute(sql`grant execute on all functions in schema bi to ${grantee}`);
    // views and functions a later migration recreates keep the grant
    await tx.execute(sql`alter default privileges in schema bi grant select on tables to ${grantee}`);
    await tx.execute(sql`alter default privileges in schema bi grant execute on functions to ${grantee}`);
    const [counts] = await queryRows<{ views: number; functions: number }>(
      tx,
      sql`select (select count(*)::int from pg_views where schemaname = 'bi') as views,
                 (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'bi') as functions`,
    );
    await recordAudit(tx, clock, actor, { action: 'bi.grant', target: `role ${role}`, details: counts });
    return counts;
  });
}
