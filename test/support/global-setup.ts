import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { adminUrl, databaseUrl } from './urls.js';

/**
 * Migrates one template database per run; every test file clones it (CREATE DATABASE … TEMPLATE),
 * so files run in parallel on the real PostgreSQL server without seeing each other's data.
 */
export default async function setup(project: TestProject) {
  const template = `hub_template_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const database = await openDatabase({ databaseUrl: databaseUrl(template), dataDir: '', poolSize: 1 });
  await database.close();
  project.provide('templateDatabase', template);
  return async () => {
    // clones left behind by a crashed file go too
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${template}%`]);
    const clones = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'hub_test_${template.slice(13)}_%'`,
    );
    for (const { datname } of [...clones.rows, ...rows]) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
