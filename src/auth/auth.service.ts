import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { agencies, apiClients } from '../../drizzle/schema/index.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { AppError, ErrorCode, badInput, forbidden, unauthenticated } from '../shared/errors.js';

export type Role = 'AGENCY' | 'BI' | 'OFFICE';

export interface Principal {
  clientId: number;
  role: Role;
  agencyId: number | null;
  agencyCode: string | null;
  label: string;
}

const tokenPrefix = 'lph_';

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface IssueTokenInput {
  role: Role;
  agencyCode?: string;
  label?: string;
}

/** Issues an API token. Only its sha256 is stored: a lost token is replaced, never recovered. */
export async function issueToken(db: Db, input: IssueTokenInput, clock: Clock): Promise<{ token: string; clientId: number }> {
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
  const token = tokenPrefix + randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(apiClients)
    .values({
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, 10),
      role: input.role,
      agencyId,
      label: input.label ?? '',
      createdAt: clock.now(),
    })
    .returning({ id: apiClients.id });
  return { token, clientId: row.id };
}

export async function revokeToken(db: Db, clientId: number, clock: Clock): Promise<boolean> {
  const rows = await db
    .update(apiClients)
    .set({ revokedAt: clock.now() })
    .where(eq(apiClients.id, clientId))
    .returning({ id: apiClients.id });
  return rows.length > 0;
}

/** Resolves a bearer token to its principal; undefined for unknown or revoked tokens. */
export async function authenticate(db: Db, token: string): Promise<Principal | undefined> {
  if (!token.startsWith(tokenPrefix) || token.length > 200) return undefined;
  const [row] = await db
    .select({
      clientId: apiClients.id,
      role: apiClients.role,
      agencyId: apiClients.agencyId,
      agencyCode: agencies.code,
      label: apiClients.label,
      revokedAt: apiClients.revokedAt,
    })
    .from(apiClients)
    .leftJoin(agencies, eq(agencies.id, apiClients.agencyId))
    .where(eq(apiClients.tokenHash, hashToken(token)));
  if (!row || row.revokedAt) return undefined;
  return { clientId: row.clientId, role: row.role, agencyId: row.agencyId, agencyCode: row.agencyCode, label: row.label };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Guards for resolvers: the principal must hold one of the roles. */
export function requireRole(principal: Principal | undefined, ...roles: Role[]): Principal {
  if (!principal) throw unauthenticated();
  if (!roles.includes(principal.role)) throw forbidden(`this needs a ${roles.join(' or ')} token; yours is ${principal.role}`);
  return principal;
}
