import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { loginFailures, userSessions, users, type UserRole } from '../../drizzle/schema/index.js';
import { recordAudit, type Actor } from '../audit/audit.service.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/event-bus.js';
import { AppError, ErrorCode, badInput, notFound } from '../shared/errors.js';
import { hashToken, type Principal } from './auth.service.js';
import { checkPassword, decoyHash, hashPassword, verifyPassword } from './passwords.js';

export type UserRow = Omit<typeof users.$inferSelect, 'passwordHash'>;

/** How failed logins are limited: per name (guessing one person's password) and per address (spraying). */
export const loginLimits = {
  windowMinutes: 15,
  perName: 5,
  perAddress: 20,
};

const sessionPrefix = 'lps_';
const userColumns = {
  id: users.id,
  name: users.name,
  role: users.role,
  createdAt: users.createdAt,
  passwordChangedAt: users.passwordChangedAt,
  disabledAt: users.disabledAt,
  lastLoginAt: users.lastLoginAt,
};

/** A login name: 2 to 64 letters, digits and . _ @ - (no spaces, nothing that looks alike in a log). */
export function checkUserName(name: string, field = 'name'): string {
  if (!/^[\p{L}\p{N}._@-]{2,64}$/u.test(name)) throw badInput(field, 'must be 2 to 64 letters, digits or . _ @ -');
  return name;
}

export interface Session {
  /** the cookie's value, shown this once: only its sha256 is stored */
  token: string;
  expiresAt: Date;
  user: UserRow;
}

const wrongCredentials = () => new AppError(ErrorCode.Unauthenticated, 'the user name or the password is wrong');

/**
 * People's accounts (office and BI staff) and their dashboard sessions. Tokens stay for systems;
 * a person's session acts with the person's role and is audited under their name.
 */
export class UserService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sessionHours: number,
    private readonly events: EventBus,
  ) {}

  list(): Promise<UserRow[]> {
    return this.db.select(userColumns).from(users).orderBy(asc(users.id));
  }

  async byName(name: string, db: Db = this.db): Promise<UserRow> {
    const [row] = await db.select(userColumns).from(users).where(eq(users.name, name));
    if (!row) throw notFound(`user ${name}`, 'name');
    return row;
  }

  async add(input: { name: string; role: UserRole; password: string }, actor: Actor): Promise<UserRow> {
    checkUserName(input.name);
    checkPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({ name: input.name, role: input.role, passwordHash, createdAt: now, passwordChangedAt: now })
        .onConflictDoNothing({ target: users.name })
        .returning(userColumns);
      if (!row) throw new AppError(ErrorCode.Conflict, `user ${input.name} exists already`, { field: 'name' });
      await recordAudit(tx, this.clock, actor, { action: 'user.add', target: `user ${input.name}`, details: { role: input.role } });
      return row;
    });
  }

  /** Sets a new password; every open session of the person ends (a password changed because it leaked must lock out whoever has it). */
  async setPassword(name: string, password: string, actor: Actor): Promise<UserRow> {
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    const now = this.clock.now();
    const changed = await this.db.transaction(async (tx) => {
      const [row] = await tx.update(users).set({ passwordHash, passwordChangedAt: now }).where(eq(users.name, name)).returning(userColumns);
      if (!row) throw notFound(`user ${name}`, 'name');
      await this.endSessionsOf(tx, row.id, now);
      await recordAudit(tx, this.clock, actor, { action: 'user.password', target: `user ${name}` });
      return row;
    });
    await this.events.publish({ type: 'credentials-revoked', clientId: null, userId: changed.id });
    return changed;
  }

  /** Disables an account and ends its sessions at once; disabling it again changes nothing. */
  async disable(name: string, actor: Actor): Promise<{ row: UserRow; already: boolean }> {
    const now = this.clock.now();
    const result = await this.db.transaction(async (tx) => {
      const [changed] = await tx
        .update(users)
        .set({ disabledAt: now })
        .where(and(eq(users.name, name), isNull(users.disabledAt)))
        .returning(userColumns);
      if (!changed) return { row: await this.byName(name, tx), already: true };
      await this.endSessionsOf(tx, changed.id, now);
      await recordAudit(tx, this.clock, actor, { action: 'user.disable', target: `user ${name}` });
      return { row: changed, already: false };
    });
    if (!result.already) await this.events.publish({ type: 'credentials-revoked', clientId: null, userId: result.row.id });
    return result;
  }

  /** Lets a disabled person log in again (with the password they had). */
  async enable(name: string, actor: Actor): Promise<UserRow> {
    return this.db.transaction(async (tx) => {
      const [changed] = await tx.update(users).set({ disabledAt: null }).where(eq(users.name, name)).returning(userColumns);
      if (!changed) throw notFound(`user ${name}`, 'name');
      await recordAudit(tx, this.clock, actor, { action: 'user.enable', target: `user ${name}` });
      return changed;
    });
  }

  /**
   * Checks a name and password from `address` and opens a session. Refused with TOO_MANY_REQUESTS
   * once a name or an address has failed too often in the window, before the password is looked at;
   * an unknown name and a wrong password get the same answer in the same time.
   *
   * The attempt is written (as a failure) before it is counted, so a burst of concurrent attempts
   * cannot all pass a count none of them has added to yet: at most the limit's worth get to the
   * password check. A right password then takes its row back.
   */
  async login(name: string, password: string, address: string): Promise<Session> {
    const now = this.clock.now();
    const [attempt] = await this.db
      .insert(loginFailures)
      .values({ name: name.slice(0, 64), address: address.slice(0, 64), at: now })
      .returning({ id: loginFailures.id });
    await this.refuseWhenLimited(name, address, now);
    const [row] = await this.db
      .select({ ...userColumns, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.name, name.slice(0, 64)));
    const matches = await verifyPassword(password.slice(0, 200), row?.passwordHash ?? (await decoyHash()));
    if (!row || !matches) throw wrongCredentials();
    // only who knows the password learns that the account is disabled
    if (row.disabledAt) throw new AppError(ErrorCode.Forbidden, 'this account is disabled: ask the office to enable it');
    const token = sessionPrefix + randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.sessionHours * 3_600_000);
    await this.db.transaction(async (tx) => {
      await tx.insert(userSessions).values({ userId: row.id, tokenHash: hashToken(token), createdAt: now, expiresAt });
      await tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, row.id));
      // a successful login forgets this name's failures (and this attempt); old rows of anyone go after a day
      await tx
        .delete(loginFailures)
        .where(
          or(
            eq(loginFailures.id, attempt.id),
            eq(loginFailures.name, row.name),
            lt(loginFailures.at, new Date(now.getTime() - 86_400_000)),
          ),
        );
    });
    const { passwordHash: _hash, ...user } = row;
    return { token, expiresAt, user: { ...user, lastLoginAt: now } };
  }

  /** Ends one session (logging out), and the live connections opened with it; an unknown or ended one is nothing to do. */
  async logout(token: string): Promise<void> {
    const sessionHash = hashToken(token);
    const ended = await this.db
      .update(userSessions)
      .set({ endedAt: this.clock.now() })
      .where(and(eq(userSessions.tokenHash, sessionHash), isNull(userSessions.endedAt)))
      .returning({ id: userSessions.id });
    if (ended.length > 0) await this.events.publish({ type: 'credentials-revoked', clientId: null, userId: null, sessionHash });
  }

  /** The person behind a session cookie; undefined when it is unknown, ended, expired or the account is disabled. */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(sessionPrefix) || token.length > 200) return undefined;
    const [row] = await this.db
      .select({ id: users.id, name: users.name, role: users.role })
      .from(userSessions)
      .innerJoin(users, eq(users.id, userSessions.userId))
      .where(
        and(
          eq(userSessions.tokenHash, hashToken(token)),
          isNull(userSessions.endedAt),
          gt(userSessions.expiresAt, this.clock.now()),
          isNull(users.disabledAt),
        ),
      );
    if (!row) return undefined;
    return { clientId: null, userId: row.id, userName: row.name, role: row.role, agencyId: null, agencyCode: null, label: row.name };
  }

  private async endSessionsOf(db: Db, userId: number, now: Date): Promise<void> {
    await db
      .update(userSessions)
      .set({ endedAt: now })
      .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt)));
  }

  private async refuseWhenLimited(name: string, address: string, now: Date): Promise<void> {
    const since = new Date(now.getTime() - loginLimits.windowMinutes * 60_000);
    const byName = eq(loginFailures.name, name.slice(0, 64));
    const byAddress = eq(loginFailures.address, address.slice(0, 64));
    const [failures] = await this.db
      .select({
        byName: sql<number>`count(*) filter (where ${byName})`.mapWith(Number),
        byAddress: sql<number>`count(*) filter (where ${byAddress})`.mapWith(Number),
      })
      .from(loginFailures)
      .where(and(or(byName, byAddress), gt(loginFailures.at, since)));
    // the count includes the attempt being made: the limit's worth of earlier failures refuse the next
    if (failures.byName > loginLimits.perName || failures.byAddress > loginLimits.perAddress) {
      throw new AppError(
        ErrorCode.TooManyRequests,
        `too many failed logins ${failures.byName > loginLimits.perName ? 'for this name' : 'from this address'}: try again in ${loginLimits.windowMinutes} minutes`,
        { retryAfterSeconds: loginLimits.windowMinutes * 60 },
      );
    }
  }
}
