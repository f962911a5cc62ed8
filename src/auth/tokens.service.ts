import type { Actor } from '../audit/audit.service.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/event-bus.js';
import {
  issueToken,
  listTokens,
  parseExpiry,
  revokeToken,
  rotateToken,
  tokenById,
  type ApiTokenRow,
  type IssueTokenInput,
} from './auth.service.js';

/** API tokens as the office manages them (GraphQL and the CLI): every change audited with its actor. */
export class TokenService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly timeZone: string,
    private readonly events: EventBus,
  ) {}

  list(): Promise<ApiTokenRow[]> {
    return listTokens(this.db);
  }

  byId(id: number): Promise<ApiTokenRow> {
    return tokenById(this.db, id);
  }

  /** `expires`: a duration (90d), a date (through that day in the hub's zone) or an ISO date-time. */
  expiry(expires: string, field = 'expires'): Date {
    return parseExpiry(expires, this.clock.now(), this.timeZone, field);
  }

  async issue(input: IssueTokenInput, actor: Actor): Promise<{ token: string; row: ApiTokenRow }> {
    const issued = await issueToken(this.db, input, this.clock, actor);
    return { token: issued.token, row: await tokenById(this.db, issued.clientId) };
  }

  /** Revokes a token; its open live connections close, in every process. */
  async revoke(id: number, actor: Actor): Promise<ApiTokenRow> {
    const row = await revokeToken(this.db, id, this.clock, actor);
    await this.events.publish({ type: 'credentials-revoked', clientId: id, userId: null });
    return row;
  }

  async rotate(id: number, actor: Actor, expiresAt?: Date | null): Promise<{ token: string; row: ApiTokenRow; replaced: number }> {
    const issued = await rotateToken(this.db, id, this.clock, actor, expiresAt ?? undefined);
    await this.events.publish({ type: 'credentials-revoked', clientId: id, userId: null });
    return { token: issued.token, row: await tokenById(this.db, issued.clientId), replaced: id };
  }
}
