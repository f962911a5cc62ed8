import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from '../../drizzle/schema/index.js';

export type Schema = typeof schema;
/** One handle type for both drivers (and for transactions, which extend it). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const migrationsFolder = fileURLToPath(new URL('../../drizzle/migrations', import.meta.url));

/** Counts the SQL statements a piece of work issues: how the N+1 tests keep reads honest. */
export class StatementCounter implements Logger {
  count = 0;
  statements: string[] = [];
  logQuery(query: string): void {
    this.count += 1;
    // kept for tests to read after a reset; bounded, so a long-running process does not hold every SQL text
    if (this.statements.length < 1_000) this.statements.push(query);
  }
  reset(): void {
    this.count = 0;
    this.statements = [];
  }
}

/** The advisory lock that lets one process at a time migrate (an API and a worker start together). */
const migrationLock = 7_000;

async function migrateOnce(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [migrationLock]);
    await migratePg(drizzlePg(client, { casing: 'snake_case' }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [migrationLock]).catch(() => undefined);
    await client.end();
  }
}

export interface Database {
  db: Db;
  driver: 'postgres' | 'pglite';
  counter: StatementCounter;
  /** runs a raw statement outside drizzle (health checks) */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const counter = new StatementCounter();
  if (options.databaseUrl) {
    // a request waits at most this long for a connection (a database that takes no connections answers 503)
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 });
    // A dropped connection must not take the process down; the next query reconnects. An idle client's
    // error reaches the pool's handler, but a client checked out (a transaction between two statements
    // when PostgreSQL restarts) has no listener of its own, and an 'error' event without one kills the
    // process. Every client gets one: its query fails, the request answers 503, the pool drops it.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    await migrateOnce(options.databaseUrl);
    const db = drizzlePg(pool, { schema, casing: 'snake_case', logger: counter });
    return {
      db: db as unknown as Db,
      driver: 'postgres',
      counter,
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const client = new PGlite(options.dataDir);
  const db = drizzlePglite(client, { schema, casing: 'snake_case', logger: counter });
  await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    driver: 'pglite',
    counter,
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** Runs raw SQL and returns its rows: both drivers answer `{ rows }`. */
export async function queryRows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}
