import { readFileSync } from 'node:fs';
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
    ]) {
      expect(sdl).toContain(name);
    }
  });
});
