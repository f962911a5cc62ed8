import { bigserial, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Who changed what and when: feeds, webhooks, tokens, plan loads, bi grants, jobs removed through the
 * queue admin. Append-only; details never hold a secret or a token.
 */
export const auditLog = pgTable('audit_log', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  at: timestamp({ withTimezone: true }).notNull(),
  /** `token 12 (OFFICE, "ops desk")`, `cli (root)`, `hub start` */
  actor: text().notNull(),
  /** the API token that acted, if one did (no foreign key: an entry is never changed afterwards) */
  actorClientId: integer(),
  /** `feed.create`, `token.revoke`, `queue.job.clean` … */
  action: text().notNull(),
  /** what was changed: `feed 3`, `token 12`, `plan shangrao-2023`, `queue feed-pull job 42` */
  target: text().notNull(),
  details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
});
