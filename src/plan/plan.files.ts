import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { parsePlanFile } from './plan.file.js';
import { loadPlan, type PlanLoadResult } from './plan.loader.js';

/** Reads, validates and loads one plan file (YAML or JSON). */
export async function loadPlanFile(db: Db, path: string, clock: Clock): Promise<PlanLoadResult> {
  const text = readFileSync(path, 'utf8');
  return loadPlan(db, parsePlanFile(text, path), clock);
}

/** Loads every plan shipped in a folder; unchanged plans are skipped by their content hash. */
export async function loadShippedPlans(db: Db, folder: string, clock: Clock): Promise<PlanLoadResult[]> {
  const files = readdirSync(resolve(folder))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  const results: PlanLoadResult[] = [];
  for (const file of files) results.push(await loadPlanFile(db, join(folder, file), clock));
  return results;
}
