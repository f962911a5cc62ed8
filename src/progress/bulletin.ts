import { DateTime } from 'luxon';
import type { Hub } from '../app.js';
import type { AgencyRow, PlanRow } from '../plan/plan.repository.js';
import { Decimal, roundPercent } from '../shared/decimal.js';
import { meanRollup, rollupStatus, targetFor, type Rollup } from './progress.engine.js';
import type { PlanProgress, PlanStructure, ShownRollup } from './progress.service.js';
import type { Status } from './status.js';

/**
 * 进展通报: the monthly bulletin the office sends upward, as data. Every figure is the one GraphQL,
 * the dashboard and the 台账 show (the plan's cached figures at its data version); the only roll-up
 * made here is a unit's, over its decomposed targets, with the engine's own mean and status rules.
 */

/** A plan, project, agency or unit figure as the bulletin prints it. */
export interface BulletinFigure {
  /** two decimals, as shown everywhere; null for NO_DATA and NOT_SCORED */
  percent: number | null;
  expectedPercent: number;
  status: Status;
  /** the scored parts with data, and all the scored parts */
  withData: number;
  parts: number;
}

export interface BulletinProject extends BulletinFigure {
  number: number;
  title: string;
  /** 牵头单位, by name */
  leads: string[];
  /** the date of the latest progress report on it that had arrived by the end of asOf (plan time zone) */
  lastReportedOn: string | null;
}

export interface BulletinAgency extends BulletinFigure {
  code: string;
  name: string;
  /** the numbers of the projects it leads */
  projects: number[];
  /** 1-based, ties sharing a rank; null when it has nothing to rank on (NO_DATA, NOT_SCORED) */
  rank: number | null;
}

/** One decomposed target of one unit. */
export interface BulletinUnitTarget {
  indicatorCode: string;
  value: string | null;
  target: string;
  unit: string;
  percent: number | null;
}

export interface BulletinUnit extends BulletinFigure {
  code: string;
  name: string;
  rank: number | null;
  targets: BulletinUnitTarget[];
}

/** A (lead agency, project) pair of a round not reported on time, as it stood at the end of asOf. */
export interface BulletinLatePair {
  agencyName: string;
  projectNumber: number;
  projectTitle: string;
  /** when the late report's first version came (plan time zone, to the minute); null: not sent by asOf */
  submittedAt: string | null;
}

export interface BulletinRound {
  title: string;
  dueOn: string;
  /** how many (lead agency, project) pairs owe a report, and how many reported by the deadline */
  pairs: number;
  onTime: number;
  late: BulletinLatePair[];
}

export interface Bulletin {
  planCode: string;
  planTitle: string;
  documentNumber: string;
  asOf: string;
  overall: BulletinFigure;
  /** every project in plan order, NOT_SCORED ones included */
  projects: BulletinProject[];
  /** agencies that lead a project of the plan: ranked ones first, best first */
  agencies: BulletinAgency[];
  /** the indicators with targets decomposed over units (任务分解); empty: no county ranking */
  decomposed: { code: string; name: string; unit: string }[];
  /** units with at least one decomposed target: ranked ones first, best first */
  units: BulletinUnit[];
  /** the rounds due on or before asOf, oldest first */
  rounds: BulletinRound[];
}

const figureOf = (rollup: ShownRollup): BulletinFigure => ({
  percent: rollup.percent,
  expectedPercent: rollup.expectedPercent,
  status: rollup.status,
  withData: rollup.withData,
  parts: rollup.parts,
});

/**
 * Ranks by percent as shown (two decimals), best first; equal percents share a rank (1, 2, 2, 4).
 * Those with no percent (NO_DATA, NOT_SCORED) follow unranked, in the order given: a rank among
 * them would say nothing.
 */
export function ranked<T extends { percent: number | null }>(items: T[]): (T & { rank: number | null })[] {
  const scored = items.filter((i) => i.percent !== null).sort((a, b) => b.percent! - a.percent!);
  const out = scored.map((item, i) => ({ ...item, rank: i + 1 }));
  for (let i = 1; i < out.length; i += 1) if (out[i].percent === out[i - 1].percent) out[i].rank = out[i - 1].rank;
  return [...out, ...items.filter((i) => i.percent === null).map((item) => ({ ...item, rank: null }))];
}

/**
 * A unit's standing over the targets decomposed to it (DESIGN.md 4.3): the mean of its percents on
 * them, each capped at 100, one with no data counting 0, judged like every other roll-up
 * (meanRollup and rollupStatus, as plans and agencies are). Units without a decomposed target have
 * nothing to be ranked on and are left out (市本级, and every unit of a plan that decomposes nothing).
 */
export function unitStandings(snap: PlanProgress, structure: PlanStructure): { decomposed: Bulletin['decomposed']; units: BulletinUnit[] } {
  const decomposed = structure.indicators.filter((i) => {
    const spec = structure.specs.get(i.id)!;
    return spec.kind === 'TARGET' && spec.regionTargets.size > 0;
  });
  const units: Omit<BulletinUnit, 'rank'>[] = [];
  for (const region of snap.regions) {
    const own = decomposed.filter((i) => {
      const spec = structure.specs.get(i.id)!;
      return spec.regionTargets.has(region.id) && targetFor(spec, region.id).scored;
    });
    if (own.length === 0) continue;
    const parts: Rollup[] = [];
    const targets: BulletinUnitTarget[] = [];
    for (const indicator of own) {
      const { figure, shown } = snap.indicators.get(indicator.id)!.get(region.id)!;
      parts.push({ percent: figure.percent, achieved: figure.achieved, scored: true, withData: figure.percent === null ? 0 : 1, parts: 1 });
      targets.push({
        indicatorCode: indicator.code,
        value: shown.value,
        target: structure.specs.get(indicator.id)!.regionTargets.get(region.id)!,
        unit: indicator.unit,
        percent: shown.percent,
      });
    }
    const rollup = meanRollup(parts);
    units.push({
      code: region.code,
      name: region.name,
      percent: rollup.percent === null ? null : roundPercent(rollup.percent),
      expectedPercent: snap.expected,
      status: rollupStatus(rollup, snap.expected),
      withData: rollup.withData,
      parts: rollup.parts,
      targets,
    });
  }
  return { decomposed: decomposed.map((i) => ({ code: i.code, name: i.name, unit: i.unit })), units: ranked(units) };
}

/**
 * The lead agencies' standing: Agency.progress as GraphQL and the dashboard show it, the mean of the
 * projects each leads (a co-led project counts for each of its leads; one with no data counts 0;
 * TRACKED-only projects left out). Agencies that lead nothing in the plan are not listed.
 */
function agencyStandings(snap: PlanProgress, structure: PlanStructure, agencies: Map<number, AgencyRow>): BulletinAgency[] {
  const rows: Omit<BulletinAgency, 'rank'>[] = [...snap.agencies].map(([agencyId, rollup]) => {
    const agency = agencies.get(agencyId)!;
    const projects = structure.projects
      .filter((p) => (structure.links.get(p.id) ?? []).some((l) => l.role === 'LEAD' && l.agencyId === agencyId))
      .map((p) => p.number);
    return { code: agency.code, name: agency.name, projects, ...figureOf(rollup) };
  });
  // unranked: those without data before those never scored; otherwise in the order of their first project
  rows.sort((a, b) => Number(a.status === 'NOT_SCORED') - Number(b.status === 'NOT_SCORED') || a.projects[0] - b.projects[0]);
  return ranked(rows);
}

/** The rounds due on or before asOf: which pairs were not reported by the deadline, as known at the end of asOf. */
async function roundStandings(hub: Hub, plan: PlanRow, asOf: string, agencies: Map<number, AgencyRow>): Promise<BulletinRound[]> {
  const endOfDay = DateTime.fromISO(asOf, { zone: plan.timeZone }).endOf('day').toJSDate();
  const rounds = ((await hub.planRepository.roundsByPlanIds([plan.id])).get(plan.id) ?? []).filter((r) => r.dueOn <= asOf);
  if (rounds.length === 0) return [];
  const [pairs, reports] = await Promise.all([hub.reminders.leadPairs(plan), hub.reminders.reportsByRoundIds(rounds.map((r) => r.id))]);
  return rounds.map((round) => {
    // a report that came after asOf was not there on asOf: a past bulletin reads the same every time
    const byPair = new Map(
      (reports.get(round.id) ?? []).filter((r) => r.submittedAt <= endOfDay).map((r) => [`${r.agencyId}|${r.projectId}`, r]),
    );
    const late: BulletinLatePair[] = [];
    let onTime = 0;
    for (const pair of pairs) {
      const report = byPair.get(`${pair.agencyId}|${pair.project.id}`);
      if (report?.onTime) {
        onTime += 1;
        continue;
      }
      late.push({
        agencyName: agencies.get(pair.agencyId)!.name,
        projectNumber: pair.project.number,
        projectTitle: pair.project.title,
        submittedAt: report ? DateTime.fromJSDate(report.submittedAt, { zone: plan.timeZone }).toFormat('yyyy-MM-dd HH:mm') : null,
      });
    }
    return { title: round.title, dueOn: round.dueOn, pairs: pairs.length, onTime, late };
  });
}

/** Everything the bulletin prints, as of a date (already checked by asOfFor). */
export async function bulletinData(hub: Hub, plan: PlanRow, asOf: string): Promise<Bulletin> {
  // the figures GraphQL and the dashboard read: kept per data version, read after the version
  const version = await hub.progress.dataVersion(plan);
  const [structure, snap, agencyRows] = await Promise.all([
    hub.progress.structureAt(plan, version),
    hub.progress.planProgressAt(plan, version, asOf),
    hub.planRepository.allAgencies(),
  ]);
  const agencies = new Map(agencyRows.map((a) => [a.id, a]));
  const endOfDay = DateTime.fromISO(asOf, { zone: plan.timeZone }).endOf('day').toJSDate();
  // the latest report as the 台账 dates it: the revision current at the end of asOf
  const reports = await hub.reminders.repository.latestReportsAsOf(
    structure.projects.map((p) => p.id),
    endOfDay,
  );
  const projects: BulletinProject[] = structure.projects.map((project) => {
    const report = reports.get(project.id);
    return {
      number: project.number,
      title: project.title,
      leads: (structure.links.get(project.id) ?? []).filter((l) => l.role === 'LEAD').map((l) => agencies.get(l.agencyId)!.name),
      lastReportedOn: report ? DateTime.fromJSDate(report.at, { zone: plan.timeZone }).toISODate() : null,
      ...figureOf(snap.projects.get(project.id)!),
    };
  });
  return {
    planCode: plan.code,
    planTitle: plan.title,
    documentNumber: plan.documentNumber,
    asOf,
    overall: figureOf(snap.overall),
    projects,
    agencies: agencyStandings(snap, structure, agencies),
    ...unitStandings(snap, structure),
    rounds: await roundStandings(hub, plan, asOf, agencies),
  };
}

/** How far a percent is from the expected one, in points, as the two shown figures differ (never a float artefact). */
export const pointsFromExpected = (figure: Pick<BulletinFigure, 'percent' | 'expectedPercent'>): string =>
  new Decimal(figure.expectedPercent)
    .minus(figure.percent ?? 0)
    .abs()
    .toFixed(2);
