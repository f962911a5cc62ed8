import { index, integer, pgEnum, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { agencies } from './plan.js';

/** AGENCY: a bureau system, bound to its agency; BI: reads everything; OFFICE: the leading-group office. */
export const clientRole = pgEnum('client_role', ['AGENCY', 'BI', 'OFFICE']);
export type ClientRole = (typeof clientRole.enumValues)[number];

/** API clients: only the sha256 of each token is kept. */
export const apiClients = pgTable(
  'api_clients',
  {
    id: serial().primaryKey(),
    tokenHash: text().notNull().unique(),
    tokenPrefix: text().notNull(),
    role: clientRole().notNull(),
    agencyId: integer().references(() => agencies.id),
    label: text().notNull().default(''),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    /** null: never expires */
    expiresAt: timestamp({ withTimezone: true }),
    /** refreshed at most once a minute per token, so a busy token costs no write per request */
    lastUsedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('api_clients_agency_idx').on(t.agencyId)],
);

/** The roles a person may have: bureau systems log in with tokens, never as people. */
export const userRole = pgEnum('user_role', ['BI', 'OFFICE']);
export type UserRole = (typeof userRole.enumValues)[number];

/** People of the office and the BI team, who log in to the dashboard with a name and a password. */
export const users = pgTable('users', {
  id: serial().primaryKey(),
  /** the login name, compared as typed (lower case is the convention, not a rule) */
  name: text().notNull().unique(),
  role: userRole().notNull(),
  /** `scrypt$N$r$p$salt$hash`, salt and hash in base64url: the parameters travel with the hash */
  passwordHash: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull(),
  passwordChangedAt: timestamp({ withTimezone: true }).notNull(),
  /** a disabled person cannot log in, and their sessions end at once */
  disabledAt: timestamp({ withTimezone: true }),
  lastLoginAt: timestamp({ withTimezone: true }),
});

/** Dashboard sessions: only the sha256 of the cookie's value is kept. */
export const userSessions = pgTable(
  'user_sessions',
  {
    id: serial().primaryKey(),
    userId: integer()
      .notNull()
      .references(() => users.id),
    tokenHash: text().notNull().unique(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    endedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('user_sessions_user_idx').on(t.userId)],
);

/** Failed logins, for the rate limit per name and per address (kept a day, then pruned). */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: serial().primaryKey(),
    name: text().notNull(),
    address: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('login_failures_name_idx').on(t.name, t.at), index('login_failures_address_idx').on(t.address, t.at)],
);
