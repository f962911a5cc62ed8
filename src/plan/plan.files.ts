import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { recordAudit, systemActor, type Actor } from '../audit/audit.service.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { PlanFileError, parsePlanFile } from './plan.file.js';
import { loadPlan, type PlanLoadResult } from './plan.loader.js';

/** A year's plan is some 30 KB; anything past this is not a plan file (or is /dev/zero). */
export const maxPlanFileBytes = 1024 * 1024;

/** Reads a plan file, refusing a missing file, a directory or more than maxPlanFileBytes in one line. */
export function readPlanText(path: string): string {
  const refuse = (message: string) => new PlanFileError(path, [{ path: '', message }]);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot open it (${code})`);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw refuse('it is a directory, not a plan file');
    // read at most one byte past the limit: a device or a pipe never says how large it is
    const buffer = Buffer.alloc(maxPlanFileBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxPlanFileBytes) throw refuse(`larger than ${maxPlanFileBytes / 1024 / 1024} MB: not a plan file`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof PlanFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'EISDIR' ? 'it is a directory, not a plan file' : `cannot read it (${code ?? (error as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** Reads, validates and loads one plan file (YAML or JSON); a load that changed something is audited. */
export async function loadPlanFile(db: Db, path: string, clock: Clock, actor: Actor = systemActor): Promise<PlanLoadResult> {
  const result = await loadPlan(db, parsePlanFile(readPlanText(path), path), clock);
  if (result.outcome !== 'unchanged') {
    await recordAudit(db, clock, actor, {
      action: 'plan.load',
      target: `plan ${result.planCode}`,
      details: { file: resolve(path), outcome: result.outcome, projects: result.projects, indicators: result.indicators },
    });
  }
  return result;
}

/** Loads every plan shipped in a folder; unchanged plans are skipped by their content hash. */
export async function loadShippedPlans(db: Db, folder: string, clock: Clock): Promise<PlanLoadResult[]> {
  const files = readdirSync(resolve(folder))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  const results: PlanLoadResult[] = [];
  for (const file of files)
    results.push(await loadPlanFile(db, join(folder, file), clock, { name: 'hub start (plans folder)', clientId: null }));
  return results;
}
