import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { agencies, apiClients } from '../../drizzle/schema/index.js';
import { recordAudit, systemActor, type Actor } from '../audit/audit.service.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { AppError, ErrorCode, badInput, notFound } from '../shared/errors.js';

export type Role = 'AGENCY' | 'BI' | 'OFFICE';

/**
 * Who a request comes from: a system with an API token (an AGENCY token always names its agency, the
 * others never do), or a person of the office or the BI team logged in to the dashboard.
 */
export type Principal =
  | { clientId: number; userId: null; userName: null; role: 'AGENCY'; agencyId: number; agencyCode: string; label: string }
  | { clientId: number; userId: null; userName: null; role: Exclude<Role, 'AGENCY'>; agencyId: null; agencyCode: null; label: string }
  | { clientId: null; userId: number; userName: string; role: Exclude<Role, 'AGENCY'>; agencyId: null; agencyCode: null; label: string };

export type AgencyPrincipal = Extract<Principal, { role: 'AGENCY' }>;

const tokenPrefix = 'lph_';

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface IssueTokenInput {
  role: Role;
  agencyCode?: string;
  label?: string;
  /** null or absent: the token never expires */
  expiresAt?: Date | null;
}

/** A token as the office sees it: never the token, nor its hash. */
export interface ApiTokenRow {
  id: number;
  label: string;
  role: Role;
  agencyId: number | null;
  agencyCode: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface IssuedToken {
  token: string;
  clientId: number;
}

const tokenColumns = {
  id: apiClients.id,
  label: apiClients.label,
  role: apiClients.role,
  agencyId: apiClients.agencyId,
  agencyCode: agencies.code,
  createdAt: apiClients.createdAt,
  lastUsedAt: apiClients.lastUsedAt,
  expiresAt: apiClients.expiresAt,
  revokedAt: apiClients.revokedAt,
};

/**
 * Issues an API token. Only its sha256 is stored: a lost token is replaced, never recovered.
 * `actor` is who asked (the audit log records it); fixtures and the demo leave it to the hub.
 */
export async function issueToken(db: Db, input: IssueTokenInput, clock: Clock, actor: Actor = systemActor): Promise<IssuedToken> {
  let agencyId: number | null = null;
  if (input.role === 'AGENCY') {
    if (!input.agencyCode) throw badInput('agency', 'an AGENCY token needs --agency CODE');
    const [agency] = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, input.agencyCode));
    if (!agency)
      throw new AppError(ErrorCode.NotFound, `agency ${input.agencyCode} not found (load a plan that lists it first)`, { field: 'agency' });
    agencyId = agency.id;
  } else if (input.agencyCode) {
    throw badInput('agency', `a ${input.role} token belongs to no agency`);
  }
  if (input.expiresAt && input.expiresAt <= clock.now()) throw badInput('expires', 'must be in the future');
  return db.transaction(async (tx) => {
    const issued = await insertToken(
      tx,
      { role: input.role, agencyId, label: input.label ?? '', expiresAt: input.expiresAt ?? null },
      clock,
    );
    await recordAudit(tx, clock, actor, {
      action: 'token.issue',
      target: `token ${issued.clientId}`,
      details: { role: input.role, agencyCode: input.agencyCode ?? null, label: input.label ?? '', expiresAt: input.expiresAt ?? null },
    });
    return issued;
  });
}

async function insertToken(
  db: Db,
  values: { role: Role; agencyId: number | null; label: string; expiresAt: Date | null },
  clock: Clock,
): Promise<IssuedToken> {
  const token = tokenPrefix + randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(apiClients)
    .values({ ...values, tokenHash: hashToken(token), tokenPrefix: token.slice(0, 10), createdAt: clock.now() })
    .returning({ id: apiClients.id });
  return { token, clientId: row.id };
}

const tokens = (db: Db) => db.select(tokenColumns).from(apiClients).leftJoin(agencies, eq(agencies.id, apiClients.agencyId));

/** Every token ever issued, oldest first (revoked and expired ones too: the office sees their history). */
export async function listTokens(db: Db): Promise<ApiTokenRow[]> {
  return tokens(db).orderBy(asc(apiClients.id));
}

export async function tokenById(db: Db, id: number, lock = false): Promise<ApiTokenRow> {
  const query = tokens(db).where(eq(apiClients.id, id));
  const [row] = await (lock ? query.for('update', { of: apiClients }) : query);
  if (!row) throw notFound(`token ${id}`, 'id');
  return row;
}

/** Revokes a token at once; revoking it again changes nothing (it stays revoked from the first time). */
export async function revokeToken(db: Db, clientId: number, clock: Clock, actor: Actor = systemActor): Promise<ApiTokenRow> {
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(apiClients)
      .set({ revokedAt: clock.now() })
      .where(and(eq(apiClients.id, clientId), isNull(apiClients.revokedAt)))
      .returning({ label: apiClients.label });
    if (revoked.length > 0) {
      await recordAudit(tx, clock, actor, { action: 'token.revoke', target: `token ${clientId}`, details: { label: revoked[0].label } });
    }
    return tokenById(tx, clientId);
  });
}

/**
 * Revokes a token and issues its replacement with the same role, agency and label. The replacement
 * lives as long as the old one was meant to (from now), unless `expiresAt` says otherwise.
 */
export async function rotateToken(
  db: Db,
  clientId: number,
  clock: Clock,
  actor: Actor = systemActor,
  expiresAt?: Date | null,
): Promise<IssuedToken & { replaced: ApiTokenRow }> {
  const now = clock.now();
  if (expiresAt && expiresAt <= now) throw badInput('expires', 'must be in the future');
  return db.transaction(async (tx) => {
    const old = await tokenById(tx, clientId, true);
    if (!old.revokedAt) await tx.update(apiClients).set({ revokedAt: now }).where(eq(apiClients.id, clientId));
    const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : undefined;
    const replacementExpires = expiresAt !== undefined ? expiresAt : lifetime !== undefined ? new Date(now.getTime() + lifetime) : null;
    const issued = await insertToken(
      tx,
      { role: old.role, agencyId: old.agencyId, label: old.label, expiresAt: replacementExpires },
      clock,
    );
    await recordAudit(tx, clock, actor, {
      action: 'token.rotate',
      target: `token ${clientId}`,
      details: { label: old.label, replacement: issued.clientId, expiresAt: replacementExpires },
    });
    return { ...issued, replaced: await tokenById(tx, clientId) };
  });
}

/**
 * When a token stops working, from `--expires` / `expires`: a duration from now (`90d`, `12h`, `30m`,
 * `2w`), a date (the token works through that day in the hub's time zone), or an instant with an offset.
 */
export function parseExpiry(text: string, now: Date, timeZone: string, field = 'expires'): Date {
  const duration = /^(\d{1,5})([mhdw])$/.exec(text.trim());
  if (duration) {
    const minutes = { m: 1, h: 60, d: 1_440, w: 10_080 }[duration[2] as 'm' | 'h' | 'd' | 'w'];
    if (Number(duration[1]) === 0) throw badInput(field, 'must be in the future');
    return new Date(now.getTime() + Number(duration[1]) * minutes * 60_000);
  }
  let at: DateTime;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) at = DateTime.fromISO(text, { zone: timeZone }).endOf('day');
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text))
    at = DateTime.fromISO(text, { setZone: true });
  else
    throw badInput(
      field,
      `"${text.slice(0, 40)}" is neither a duration (90d, 12h, 2w), a date (2024-06-30) nor an ISO date-time with an offset`,
    );
  if (!at.isValid) throw badInput(field, `"${text.slice(0, 40)}" is not a real date`);
  if (at.toMillis() <= now.getTime()) throw badInput(field, 'must be in the future');
  return at.toJSDate();
}

/** last_used_at is refreshed at most this often per token: a busy token costs no write per request */
const lastUsedResolutionMs = 60_000;

/** Resolves a bearer token to its principal; undefined for unknown, revoked or expired tokens. */
export async function authenticate(db: Db, token: string, clock: Clock): Promise<Principal | undefined> {
  if (!token.startsWith(tokenPrefix) || token.length > 200) return undefined;
  const [row] = await db
    .select({
      clientId: apiClients.id,
      role: apiClients.role,
      agencyId: apiClients.agencyId,
      agencyCode: agencies.code,
      label: apiClients.label,
      revokedAt: apiClients.revokedAt,
      expiresAt: apiClients.expiresAt,
      lastUsedAt: apiClients.lastUsedAt,
    })
    .from(apiClients)
    .leftJoin(agencies, eq(agencies.id, apiClients.agencyId))
    .where(eq(apiClients.tokenHash, hashToken(token)));
  const now = clock.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return undefined;
  if (!row.lastUsedAt || Math.abs(now.getTime() - row.lastUsedAt.getTime()) >= lastUsedResolutionMs) {
    await db.update(apiClients).set({ lastUsedAt: now }).where(eq(apiClients.id, row.clientId));
  }
  if (row.role === 'AGENCY') {
    // an AGENCY token without its agency cannot be: the agency row is never deleted
    if (row.agencyId === null || row.agencyCode === null) return undefined;
    return {
      clientId: row.clientId,
      userId: null,
      userName: null,
      role: 'AGENCY',
      agencyId: row.agencyId,
      agencyCode: row.agencyCode,
      label: row.label,
    };
  }
  return { clientId: row.clientId, userId: null, userName: null, role: row.role, agencyId: null, agencyCode: null, label: row.label };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
