import type { AgencyRow, IndicatorRow, PlanRepository, PlanRow, ProjectRow, RegionRow } from '../plan/plan.repository.js';
import { dateInZone, type Clock } from '../shared/clock.js';
import { Decimal, roundPercent } from '../shared/decimal.js';
import { badInput } from '../shared/errors.js';
import {
  TOTAL,
  expectedPercent,
  figureOf,
  meanRollup,
  projectRollup,
  rollupStatus,
  show,
  showValue,
  targetFor,
  type IndicatorFigure,
  type IndicatorSpec,
  type Rollup,
  type SeriesAsOf,
  type Shown,
  type ValueMemo,
  type ValuesAsOf,
} from './progress.engine.js';
import type { DailyRow, ProgressRepository } from './progress.repository.js';
import type { Status } from './status.js';

export interface RegionFigure {
  figure: IndicatorFigure;
  shown: Shown;
}

export interface ShownRollup extends Shown {
  withData: number;
  parts: number;
}

/**
 * The date figures are asked "as of": today in the plan's time zone by default. A date after the
 * hub's today is refused: it would show today's figures under a future date's expected progress.
 */
export function asOfFor(clock: Clock, plan: PlanRow, asOf: string | null | undefined, field = 'asOf'): string {
  const today = dateInZone(clock.now(), plan.timeZone);
  if (!asOf) return today;
  if (asOf > today) throw badInput(field, `${asOf} is after today (${today}); figures exist up to today`);
  return asOf;
}

/** 全市, the whole city: every reporting unit aggregated (a pseudo region, code ALL, beside the units). */
export const totalRegion: RegionRow = { id: TOTAL, code: 'ALL', name: '全市', level: 'CITY', position: -1 };

/** Every figure of one plan as of one date: built once per request and date, then read by every field. */
export interface PlanProgress {
  plan: PlanRow;
  asOf: string;
  expected: number;
  /** the reporting units: 市本级 (the city code) first, then counties and zones */
  regions: RegionRow[];
  overall: ShownRollup;
  projects: Map<number, ShownRollup>;
  /** indicator id → region id → figure; region TOTAL (0) holds the 全市 figure */
  indicators: Map<number, Map<number, RegionFigure>>;
  /** agency id → the mean of the projects it leads */
  agencies: Map<number, ShownRollup>;
}

export function specOf(
  indicator: IndicatorRow,
  stages: { id: number; weight: string }[],
  regionIdByCode: Map<string, number>,
  cityRegionId: number,
): IndicatorSpec {
  const units = [...regionIdByCode.values()];
  return {
    id: indicator.id,
    kind: indicator.kind,
    accumulation: indicator.accumulation,
    aggregation: indicator.regionAggregation,
    direction: indicator.direction,
    target: indicator.target,
    baseline: indicator.baseline,
    weight: indicator.weight,
    numeratorId: indicator.numeratorId,
    denominatorId: indicator.denominatorId,
    stages,
    regionTargets: new Map(
      Object.entries(indicator.regionTargets)
        .filter(([code]) => regionIdByCode.has(code))
        .map(([code, target]) => [regionIdByCode.get(code)!, target]),
    ),
    silentUnits: new Set(
      indicator.reportedBy === 'REGIONS'
        ? [cityRegionId]
        : indicator.reportedBy === 'CITY'
          ? units.filter((id) => id !== cityRegionId)
          : [],
    ),
  };
}

function showRollup(rollup: Rollup, expected: number): ShownRollup {
  return {
    value: null,
    percent: rollup.percent === null ? null : roundPercent(rollup.percent),
    expectedPercent: expected,
    shareOfCity: null,
    achieved: rollup.achieved,
    status: rollupStatus(rollup, expected),
    withData: rollup.withData,
    parts: rollup.parts,
  };
}

/** How many dates of one plan's current figures are kept (a dashboard asks for today, BI tools for a few more). */
const datesKept = 32;

/** One plan's figures at one data version: its structure, and the whole plan as of each date asked. */
interface CachedPlan {
  version: number;
  structure: Promise<PlanStructure>;
  /** asOf → the whole plan's figures as of it, the most recently used last */
  snapshots: Map<string, Promise<PlanProgress>>;
}

export class ProgressService {
  /**
   * Whole-plan figures by plan, kept under the data version they were computed at. A reader reads
   * the version first (one statement), then takes what is kept under it or computes it: every write
   * that changes a figure bumps the version in its own transaction, so nothing kept here is older
   * than a write that returned before the reader asked, in this process or in any other replica.
   */
  private readonly cache = new Map<number, CachedPlan>();

  constructor(
    private readonly plans: PlanRepository,
    private readonly progress: ProgressRepository,
  ) {}

  /** The plan's data version, read before any figure it is used to find. */
  dataVersion(plan: PlanRow): Promise<number> {
    return this.progress.dataVersion(plan.id);
  }

  /** The plan's structure at (at least) this version. */
  structureAt(plan: PlanRow, version: number): Promise<PlanStructure> {
    return this.entry(plan, version).structure;
  }

  /** The whole plan's figures as of a date at (at least) this version: computed once per version and date. */
  planProgressAt(plan: PlanRow, version: number, asOf: string): Promise<PlanProgress> {
    const entry = this.entry(plan, version);
    let pending = entry.snapshots.get(asOf);
    if (pending) {
      // most recently used last
      entry.snapshots.delete(asOf);
      entry.snapshots.set(asOf, pending);
      return pending;
    }
    pending = entry.structure.then((structure) => this.planProgress(plan, asOf, structure));
    entry.snapshots.set(asOf, pending);
    if (entry.snapshots.size > datesKept) entry.snapshots.delete(entry.snapshots.keys().next().value!);
    // a failed read is not kept: the next reader tries again
    const kept = pending;
    kept.catch(() => {
      if (entry.snapshots.get(asOf) === kept) entry.snapshots.delete(asOf);
    });
    return kept;
  }

  private entry(plan: PlanRow, version: number): CachedPlan {
    const kept = this.cache.get(plan.id);
    if (kept && kept.version === version) return kept;
    const entry: CachedPlan = { version, structure: this.structure(plan), snapshots: new Map() };
    // a reader that read an older version than the one kept (it asked first, answers later) computes its own
    if (kept && kept.version > version) return entry;
    this.cache.set(plan.id, entry);
    entry.structure.catch(() => {
      if (this.cache.get(plan.id) === entry) this.cache.delete(plan.id);
    });
    return entry;
  }

  /** The plan's structure, read once per request whatever the number of dates asked. */
  async structure(plan: PlanRow) {
    const [indicators, projects, regions] = await Promise.all([
      this.plans.indicatorsByPlanIds([plan.id]).then((m) => m.get(plan.id) ?? []),
      this.plans.projectsByPlanIds([plan.id]).then((m) => m.get(plan.id) ?? []),
      this.plans.regionsByPlanIds([plan.id]).then((m) => m.get(plan.id) ?? []),
    ]);
    const [stages, links] = await Promise.all([
      this.plans.stagesByIndicatorIds(indicators.filter((i) => i.kind === 'MILESTONE').map((i) => i.id)),
      this.plans.projectAgenciesByProjectIds(projects.map((p) => p.id)),
    ]);
    const regionIdByCode = new Map(regions.map((r) => [r.code, r.id]));
    const specs = new Map(indicators.map((i) => [i.id, specOf(i, stages.get(i.id) ?? [], regionIdByCode, plan.cityRegionId)]));
    return { indicators, projects, regions, specs, links };
  }

  async planProgress(plan: PlanRow, asOf: string, structure: Awaited<ReturnType<ProgressService['structure']>>): Promise<PlanProgress> {
    const values = await this.progress.valuesAsOf(plan.id, asOf);
    return computePlanProgress(plan, asOf, structure, values);
  }
}

export function computePlanProgress(
  plan: PlanRow,
  asOf: string,
  { indicators, projects, regions, specs, links }: Awaited<ReturnType<ProgressService['structure']>>,
  values: ValuesAsOf,
): PlanProgress {
  const expected = expectedPercent(plan.periodStart, plan.periodEnd, asOf);
  const unitIds = regions.map((r) => r.id);
  const figures = new Map<number, Map<number, RegionFigure>>();
  // each value once: a unit's share of 全市 and a ratio's numerator reuse what was computed
  const memo: ValueMemo = new Map();
  for (const indicator of indicators) {
    const spec = specs.get(indicator.id)!;
    const byRegion = new Map<number, RegionFigure>();
    for (const regionId of [TOTAL, ...unitIds]) {
      const figure = figureOf(spec, specs, values, regionId, unitIds, memo);
      byRegion.set(regionId, { figure, shown: show(figure, spec, expected) });
    }
    figures.set(indicator.id, byRegion);
  }

  const projectRollups = new Map<number, Rollup>();
  for (const project of projects) {
    const parts = indicators
      .filter((i) => i.projectId === project.id)
      .map((i) => ({ spec: specs.get(i.id)!, figure: figures.get(i.id)!.get(TOTAL)!.figure }));
    projectRollups.set(project.id, projectRollup(parts));
  }

  const ledBy = new Map<number, Rollup[]>();
  for (const project of projects) {
    for (const link of links.get(project.id) ?? []) {
      if (link.role !== 'LEAD') continue;
      ledBy.set(link.agencyId, [...(ledBy.get(link.agencyId) ?? []), projectRollups.get(project.id)!]);
    }
  }

  return {
    plan,
    asOf,
    expected,
    regions,
    overall: showRollup(meanRollup([...projectRollups.values()]), expected),
    projects: new Map([...projectRollups].map(([id, r]) => [id, showRollup(r, expected)])),
    indicators: figures,
    agencies: new Map([...ledBy].map(([id, r]) => [id, showRollup(meanRollup(r), expected)])),
  };
}

export type PlanStructure = Awaited<ReturnType<ProgressService['structure']>>;
export type { AgencyRow, ProjectRow };

export interface SeriesPointValue {
  date: string;
  value: string;
  percent: number | null;
}

/**
 * One point per day that has data, each the value as of that day. Walks the daily roll-up once,
 * oldest first, so a year of data is one read and one pass.
 */
export function computeSeries(
  structure: PlanStructure,
  indicator: IndicatorRow,
  regionId: number,
  rows: DailyRow[],
  from: string,
): SeriesPointValue[] {
  const unitIds = structure.regions.map((r) => r.id);
  const spec = structure.specs.get(indicator.id)!;
  const values: ValuesAsOf = new Map();
  const points: SeriesPointValue[] = [];
  const relevant = regionId === TOTAL ? rows : rows.filter((r) => r.regionId === regionId);
  for (let i = 0; i < relevant.length; i += 1) {
    const row = relevant[i];
    let byRegion = values.get(row.indicatorId);
    if (!byRegion) values.set(row.indicatorId, (byRegion = new Map<number, Map<number, SeriesAsOf>>()));
    let byStage = byRegion.get(row.regionId);
    if (!byStage) byRegion.set(row.regionId, (byStage = new Map<number, SeriesAsOf>()));
    const before = byStage.get(row.stageId);
    byStage.set(row.stageId, {
      sum: before ? new Decimal(before.sum).plus(row.sum).toFixed() : row.sum,
      latest: row.latest,
      lastObservedOn: row.observedOn,
    });
    const lastOfDay = i === relevant.length - 1 || relevant[i + 1].observedOn !== row.observedOn;
    if (!lastOfDay || row.observedOn < from) continue;
    const figure = figureOf(spec, structure.specs, values, regionId, unitIds);
    if (figure.value === null) continue;
    points.push({
      date: row.observedOn,
      value: showValue(figure.value, spec.accumulation === 'DERIVED'),
      percent: figure.percent === null ? null : roundPercent(figure.percent),
    });
  }
  return points;
}

export interface ConsolidatedRow {
  projectNumber: number;
  projectTitle: string;
  indicatorCode: string;
  indicatorName: string;
  unit: string;
  kind: IndicatorRow['kind'];
  regionCode: string;
  regionName: string;
  target: string | null;
  baseline: string | null;
  value: string | null;
  percent: number | null;
  expectedPercent: number;
  shareOfCity: number | null;
  status: Status;
  leadAgencies: AgencyRow[];
  /** the codes of leadAgencies, as the API lists them */
  leadAgencyCodes: string[];
  lastObservedOn: string | null;
  asOf: string;
}

/** The rows already built from one set of figures, by the regions asked (the figures are kept per data version). */
const rowsKept = new WeakMap<PlanProgress, Map<string, ConsolidatedRow[]>>();

/**
 * One flat row per indicator and region (totalRegion: 全市): what BI tools, the ledger and the SQL
 * views all show. Built once per set of figures and regions asked: the rows are shared by every
 * caller of the same figures, to be read, never changed.
 */
export function consolidatedRows(
  snap: PlanProgress,
  structure: PlanStructure,
  regions: RegionRow[],
  agencies: Map<number, AgencyRow>,
): ConsolidatedRow[] {
  const key = regions.map((r) => r.id).join(',');
  let byRegions = rowsKept.get(snap);
  const kept = byRegions?.get(key);
  if (kept) return kept;
  const rows = buildRows(snap, structure, regions, agencies);
  if (!byRegions) rowsKept.set(snap, (byRegions = new Map<string, ConsolidatedRow[]>()));
  byRegions.set(key, rows);
  return rows;
}

function buildRows(
  snap: PlanProgress,
  structure: PlanStructure,
  regions: RegionRow[],
  agencies: Map<number, AgencyRow>,
): ConsolidatedRow[] {
  const projects = new Map(structure.projects.map((p) => [p.id, p]));
  return structure.indicators.flatMap((indicator) => {
    const project = projects.get(indicator.projectId)!;
    const leads = (structure.links.get(project.id) ?? []).filter((l) => l.role === 'LEAD').map((l) => agencies.get(l.agencyId)!);
    const leadAgencyCodes = leads.map((a) => a.code);
    return regions.map((region) => {
      const { figure, shown } = snap.indicators.get(indicator.id)!.get(region.id)!;
      return {
        projectNumber: project.number,
        projectTitle: project.title,
        indicatorCode: indicator.code,
        indicatorName: indicator.name,
        unit: indicator.unit,
        kind: indicator.kind,
        regionCode: region.code,
        regionName: region.name,
        target: targetFor(structure.specs.get(indicator.id)!, region.id).target,
        baseline: indicator.baseline,
        value: shown.value,
        percent: shown.percent,
        expectedPercent: shown.expectedPercent,
        shareOfCity: shown.shareOfCity,
        status: shown.status,
        leadAgencies: leads,
        leadAgencyCodes,
        lastObservedOn: figure.lastObservedOn,
        asOf: snap.asOf,
      };
    });
  });
}
