import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schemaSdl } from '../src/http/schema.js';

describe('schema/schema.graphql', () => {
  it('matches what the code emits (regenerate with npm run schema)', async () => {
    const checkedIn = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(await schemaSdl()).toBe(checkedIn);
  });

  it('keeps the names of the public contract', async () => {
    const sdl = await schemaSdl();
    for (const name of [
      'me: Principal!',
      'plans: [Plan!]!',
      'plan(code: String): Plan',
      'agencies: [Agency!]!',
      'regions: [Region!]!',
      'scalar Decimal',
      'scalar Date',
      'scalar DateTime',
      // DESIGN.md 4.1–4.5: every figure names its unit; units are judged only on what was asked of them
      'regionCode: String!',
      'NOT_SCORED',
      'shareOfCity: Float',
      'partsWithData: Int',
    ]) {
      expect(sdl).toContain(name);
    }
  });

  it('holds every document the dashboard sends (src/http/dashboard/documents.js)', async () => {
    const schema = buildSchema(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8'));
    // browser code with no DOM at load time: imported here as it is served
    const module = (await import(new URL('../src/http/dashboard/documents.js', import.meta.url).href)) as Record<string, unknown>;
    const documents = Object.entries(module).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    expect(documents.map(([name]) => name)).toEqual(expect.arrayContaining(['ME_QUERY', 'OVERVIEW_QUERY', 'PROJECT_QUERY']));
    const problems = documents.flatMap(([name, source]) => {
      try {
        return validate(schema, parse(source)).map((error) => `${name}: ${error.message}`);
      } catch (error) {
        return [`${name}: ${(error as Error).message}`];
      }
    });
    expect(problems).toEqual([]);
  });
});
