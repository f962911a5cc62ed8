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
