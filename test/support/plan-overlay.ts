import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument } from 'yaml';
import { parsePlanFile, type PlanFile } from '../../src/plan/plan.file.js';

export const planPath = fileURLToPath(new URL('../../plans/shangrao-2023.yaml', import.meta.url));

/**
 * The shipped 2023 plan with decomposed targets (任务分解) laid over it, by indicator code: the
 * document decomposes nothing, so tests that need a decomposition bring their own.
 */
export function planWithRegionTargets(overlay: Record<string, Record<string, string>>): PlanFile {
  return parsePlanFile(planTextWithRegionTargets(overlay), `${planPath} (+ regionTargets of ${Object.keys(overlay).join(', ')})`);
}

/** The same as the YAML text of a plan file (for `plan load`). */
export function planTextWithRegionTargets(overlay: Record<string, Record<string, string>>): string {
  const doc = parseDocument(readFileSync(planPath, 'utf8'));
  const projects = doc.get('projects');
  if (!isSeq(projects)) throw new Error('the plan file has no projects');
  const wanted = new Set(Object.keys(overlay));
  projects.items.forEach((project, p) => {
    const indicators = isMap(project) ? project.get('indicators') : undefined;
    if (!isSeq(indicators)) return;
    indicators.items.forEach((indicator, i) => {
      const code = isMap(indicator) ? String(indicator.get('code')) : '';
      if (!wanted.delete(code)) return;
      doc.setIn(['projects', p, 'indicators', i, 'regionTargets'], doc.createNode(overlay[code]));
    });
  });
  if (wanted.size > 0) throw new Error(`no indicator ${[...wanted].join(', ')} in the plan`);
  return doc.toString();
}
