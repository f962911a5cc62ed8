import { userInfo } from 'node:os';
import { desc, lt } from 'drizzle-orm';
import { auditLog } from '../../drizzle/schema/index.js';
import type { Principal } from '../auth/auth.service.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** Who made a change: an API token, the command line, or the hub itself (plans loaded at start). */
export interface Actor {
  name: string;
  clientId: number | null;
}

export const systemActor: Actor = { name: 'hub', clientId: null };

export function tokenActor(principal: Principal): Actor {
  if (principal.userId !== null) return { name: `user ${principal.userName} (${principal.role})`, clientId: null };
  const who = [principal.role, principal.agencyCode, principal.label ? JSON.stringify(principal.label) : undefined].filter(Boolean);
  return { name: `token ${principal.clientId} (${who.join(' ')})`, clientId: principal.clientId };
}

/** The command line, named by the operating-system user who ran it. */
export function cliActor(): Actor {
  let user = 'unknown user';
  try {
    user = userInfo().username;
  } catch {
    // a container user without a passwd entry
  }
  return { name: `cli (${user})`, clientId: null };
}

export interface AuditEntry {
  /** `feed.create`, `token.revoke`, `queue.job.clean` … */
  action: string;
  target: string;
  /** what changed, never a secret or a token */
  details?: Record<string, unknown>;
}

/** Appends one entry; pass the transaction of the change so both are kept or neither. */
export async function recordAudit(db: Db, clock: Clock, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    at: clock.now(),
    actor: actor.name.slice(0, 300),
    actorClientId: actor.clientId,
    action: entry.action,
    target: entry.target.slice(0, 300),
    details: entry.details ?? {},
  });
}

/** A page of the log, newest first; `before` is the id of the last entry of the previous page. */
export async function auditPage(db: Db, first: number, before: number | undefined): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(before === undefined ? undefined : lt(auditLog.id, before))
    .orderBy(desc(auditLog.id))
    .limit(first + 1);
}

/** The audit log as OFFICE reads it. */
export class AuditService {
  constructor(private readonly db: Db) {}

  /** A page, newest first; `before` is the id of the last entry of the previous page. */
  page(first: number, before: number | undefined): Promise<AuditRow[]> {
    return auditPage(this.db, first, before);
  }
}
