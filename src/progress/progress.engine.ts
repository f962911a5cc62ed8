import { DateTime } from 'luxon';
import { Decimal, HUNDRED, roundPercent } from '../shared/decimal.js';
import type { Status } from './status.js';

/**
 * The progress semantics of DESIGN.md section 4, as pure functions over exact decimals.
 * Nothing here reads the database or the clock: the same inputs always give the same figures.
 */

export type Kind = 'TARGET' | 'THRESHOLD' | 'LEVEL' | 'MILESTONE' | 'TRACKED';
export type { Status };

export interface IndicatorSpec {
  id: number;
  kind: Kind;
  accumulation: 'SUM' | 'LATEST' | 'DERIVED' | 'STAGES';
  aggregation: 'SUM' | 'MIN' | 'MAX' | 'RATIO';
  direction: 'AT_LEAST' | 'AT_MOST';
  target: string | null;
  baseline: string | null;
  weight: string;
  numeratorId: number | null;
  denominatorId: number | null;
  stages: { id: number; weight: string }[];
  /** 任务分解: region id → that region's own target (TARGET indicators only) */
  regionTargets: Map<number, string>;
  /** units that do not report it (市本级 for REGIONS, the counties and zones for CITY): never scored */
  silentUnits: Set<number>;
}

/** A region's series of one indicator (and stage) as of a date: what the roll-ups give. */
export interface SeriesAsOf {
  /** the sum of the facts up to the date (read for SUM indicators only) */
  sum: string;
  latest: string;
  lastObservedOn: string;
}

/** indicator id → region id → stage id (0 for none) → the series as of the date */
export type ValuesAsOf = Map<number, Map<number, Map<number, SeriesAsOf>>>;

/** The 全市 figure is keyed by this id beside the reporting units' own ids (no region has id 0). */
export const TOTAL = 0;

export interface IndicatorFigure {
  value: Decimal | null;
  percent: Decimal | null;
  achieved: boolean;
  lastObservedOn: string | null;
  /** judged against a target: false for TRACKED, and for a unit without its own TARGET */
  scored: boolean;
  /** a unit's share of the 全市 value (占全市 %), where values add up */
  shareOfCity: Decimal | null;
}

export interface Shown {
  value: string | null;
  percent: number | null;
  expectedPercent: number;
  shareOfCity: number | null;
  achieved: boolean;
  status: Status;
}

/** Share of the period elapsed at `asOf`, in whole days up to and including it (0–100, two decimals). */
export function expectedPercent(periodStart: string, periodEnd: string, asOf: string): number {
  if (asOf < periodStart) return 0;
  if (asOf >= periodEnd) return 100;
  const day = (d: string) => DateTime.fromISO(d, { zone: 'UTC' });
  const total = day(periodEnd).diff(day(periodStart), 'days').days + 1;
  const elapsed = day(asOf).diff(day(periodStart), 'days').days + 1;
  return roundPercent(new Decimal(elapsed).div(total).times(100));
}

/** A bound holds all year: time elapsed plays no part in it. */
export const expectedFor = (kind: Kind, expected: number): number => (kind === 'THRESHOLD' ? 100 : expected);

/** Within ten points of the expected percent is LAGGING. */
const lagTolerance = 10;

/**
 * The red–yellow–green status of a scored figure that has data. Compared as shown (two decimals),
 * so the colour always agrees with the two numbers beside it.
 */
export function statusOf(percent: Decimal, achieved: boolean, expected: number): Status {
  if (achieved) return 'ACHIEVED';
  const shown = roundPercent(percent);
  if (shown >= expected) return 'ON_TRACK';
  return new Decimal(expected).minus(shown).lte(lagTolerance) ? 'LAGGING' : 'BEHIND';
}

/** Below a bound by at most this many percent (of the bound) is LAGGING; further is BEHIND. */
const boundTolerance = 90;

export function figureStatus(figure: IndicatorFigure, kind: Kind, expected: number): Status {
  if (!figure.scored) return 'NOT_SCORED';
  if (figure.value === null || figure.percent === null) return 'NO_DATA';
  if (kind !== 'THRESHOLD') return statusOf(figure.percent, figure.achieved, expected);
  // a bound holds all year or it does not: never "on track" towards it
  if (figure.achieved) return 'ACHIEVED';
  return roundPercent(figure.percent) >= boundTolerance ? 'LAGGING' : 'BEHIND';
}

/** Ratios rarely end: a derived value is shown to six decimals (roll-ups keep the exact figure). */
export const derivedValueScale = 6;

export function showValue(value: Decimal, derived: boolean): string {
  return (derived ? value.toDecimalPlaces(derivedValueScale, Decimal.ROUND_HALF_UP) : value).toFixed();
}

export function show(figure: IndicatorFigure, spec: IndicatorSpec, expected: number): Shown {
  return {
    value: figure.value === null ? null : showValue(figure.value, spec.accumulation === 'DERIVED'),
    percent: figure.percent === null ? null : roundPercent(figure.percent),
    expectedPercent: expectedFor(spec.kind, expected),
    shareOfCity: figure.shareOfCity === null ? null : roundPercent(figure.shareOfCity),
    achieved: figure.achieved,
    status: figureStatus(figure, spec.kind, expected),
  };
}

interface Valued {
  value: Decimal;
  last: string | null;
}

/**
 * Values already computed for one set of ValuesAsOf (indicator id → region id → value, null for
 * none): a whole plan computes each 全市 value once, not once per unit that shows its share of it.
 */
export type ValueMemo = Map<number, Map<number, Valued | null>>;

/** The value of one indicator in one reporting unit, from that unit's own series. */
function ownValue(spec: IndicatorSpec, byStage: Map<number, SeriesAsOf> | undefined): Valued | undefined {
  if (!byStage || byStage.size === 0) return undefined;
  const last = maxOf([...byStage.values()].map((s) => s.lastObservedOn));
  if (spec.accumulation === 'STAGES') {
    // the weights of the stages whose latest report says done
    const done = spec.stages.filter((s) => {
      const series = byStage.get(s.id);
      return series !== undefined && new Decimal(series.latest).gte(1);
    });
    return { value: done.reduce((sum, s) => sum.plus(s.weight), new Decimal(0)), last };
  }
  const series = byStage.get(0);
  if (!series) return undefined;
  return { value: new Decimal(spec.accumulation === 'SUM' ? series.sum : series.latest), last };
}

const maxOf = (dates: (string | null)[]) =>
  dates
    .filter((d): d is string => d !== null)
    .sort()
    .pop() ?? null;

/**
 * The value of an indicator in one unit, or (region TOTAL) the 全市 value over every unit that
 * reported, 市本级 included: amounts and counts add up, a standard is met only where every unit
 * meets it (MIN), and a ratio is the ratio of the aggregated numerator and denominator.
 */
export function valueOf(
  spec: IndicatorSpec,
  specs: Map<number, IndicatorSpec>,
  values: ValuesAsOf,
  regionId: number,
  unitIds: number[],
  memo?: ValueMemo,
): Valued | undefined {
  if (!memo) return computeValue(spec, specs, values, regionId, unitIds);
  let byRegion = memo.get(spec.id);
  if (!byRegion) memo.set(spec.id, (byRegion = new Map<number, Valued | null>()));
  const known = byRegion.get(regionId);
  if (known !== undefined) return known ?? undefined;
  const valued = computeValue(spec, specs, values, regionId, unitIds, memo);
  byRegion.set(regionId, valued ?? null);
  return valued;
}

function computeValue(
  spec: IndicatorSpec,
  specs: Map<number, IndicatorSpec>,
  values: ValuesAsOf,
  regionId: number,
  unitIds: number[],
  memo?: ValueMemo,
): Valued | undefined {
  if (spec.accumulation === 'DERIVED') {
    const numerator = valueOf(specs.get(spec.numeratorId!)!, specs, values, regionId, unitIds, memo);
    const denominator = valueOf(specs.get(spec.denominatorId!)!, specs, values, regionId, unitIds, memo);
    // a zero denominator gives no value, not an error
    if (!numerator || !denominator || denominator.value.isZero()) return undefined;
    return { value: numerator.value.div(denominator.value).times(100), last: maxOf([numerator.last, denominator.last]) };
  }
  const perUnit = values.get(spec.id);
  if (regionId !== TOTAL) return ownValue(spec, perUnit?.get(regionId));
  const reported = unitIds.map((id) => valueOf(spec, specs, values, id, unitIds, memo)).filter((v) => v !== undefined);
  if (reported.length === 0) return undefined;
  const numbers = reported.map((r) => r.value);
  const value =
    spec.aggregation === 'MIN'
      ? Decimal.min(...numbers)
      : spec.aggregation === 'MAX'
        ? Decimal.max(...numbers)
        : numbers.reduce((a, b) => a.plus(b));
  return { value, last: maxOf(reported.map((r) => r.last)) };
}

/**
 * The target a figure is judged against: the plan's for 全市; for a unit, its own decomposed
 * target for TARGET indicators (none: not scored, a county is never held to the city's target) and
 * the plan's standard for LEVEL, THRESHOLD and MILESTONE, which hold in every unit as they are.
 * A unit that does not report the indicator at all (its level) is not scored either.
 */
export function targetFor(spec: IndicatorSpec, regionId: number): { scored: boolean; target: string | null } {
  if (spec.kind === 'TRACKED' || spec.silentUnits.has(regionId)) return { scored: false, target: null };
  if (spec.kind !== 'TARGET' || regionId === TOTAL) return { scored: true, target: spec.target };
  const own = spec.regionTargets.get(regionId);
  return own === undefined ? { scored: false, target: null } : { scored: true, target: own };
}

/** An indicator's figure in one unit, or the 全市 figure (region TOTAL). */
export function figureOf(
  spec: IndicatorSpec,
  specs: Map<number, IndicatorSpec>,
  values: ValuesAsOf,
  regionId: number,
  unitIds: number[],
  memo?: ValueMemo,
): IndicatorFigure {
  const { scored, target } = targetFor(spec, regionId);
  const valued = valueOf(spec, specs, values, regionId, unitIds, memo);
  let shareOfCity: Decimal | null = null;
  if (valued && regionId !== TOTAL && spec.aggregation === 'SUM') {
    const total = valueOf(spec, specs, values, TOTAL, unitIds, memo);
    if (total && !total.value.isZero()) shareOfCity = valued.value.div(total.value).times(100);
  }
  if (!valued) return { value: null, percent: null, achieved: false, lastObservedOn: null, scored, shareOfCity };
  const { percent, achieved } = scored ? percentOf({ ...spec, target }, valued.value) : { percent: null, achieved: false };
  return { value: valued.value, percent, achieved, lastObservedOn: valued.last, scored, shareOfCity };
}

export function percentOf(spec: Pick<IndicatorSpec, 'kind' | 'target' | 'baseline' | 'direction'>, value: Decimal) {
  const target = spec.target === null ? null : new Decimal(spec.target);
  switch (spec.kind) {
    case 'TARGET':
      return { percent: value.div(target!).times(100), achieved: value.gte(target!) };
    case 'THRESHOLD':
      if (spec.direction === 'AT_MOST') {
        const within = value.lte(target!);
        return { percent: within ? HUNDRED : target!.div(value).times(100), achieved: within };
      }
      return { percent: value.div(target!).times(100), achieved: value.gte(target!) };
    case 'LEVEL': {
      const achieved = value.gte(target!);
      if (spec.baseline === null) return { percent: achieved ? HUNDRED : new Decimal(0), achieved };
      const baseline = new Decimal(spec.baseline);
      return { percent: value.minus(baseline).div(target!.minus(baseline)).times(100), achieved };
    }
    case 'MILESTONE':
      return { percent: value, achieved: value.gte(100) };
    case 'TRACKED':
      return { percent: null as Decimal | null, achieved: false };
  }
}

export interface Rollup {
  /** null when no part has data (NO_DATA) or nothing is scored (NOT_SCORED) */
  percent: Decimal | null;
  achieved: boolean;
  /** false when none of its parts is scored: left out of the means above it */
  scored: boolean;
  /** the scored parts with data, and all the scored parts */
  withData: number;
  parts: number;
}

const capped = (percent: Decimal | null) => (percent === null ? new Decimal(0) : Decimal.min(percent, HUNDRED));

/**
 * A project: the weighted mean over its scored indicators (TRACKED left out), each capped at 100.
 * An indicator without data counts 0: a report not made is progress not shown.
 */
export function projectRollup(parts: { spec: IndicatorSpec; figure: IndicatorFigure }[]): Rollup {
  const scored = parts.filter((p) => p.spec.kind !== 'TRACKED');
  const withData = scored.filter((p) => p.figure.percent !== null).length;
  if (scored.length === 0) return { percent: null, achieved: false, scored: false, withData: 0, parts: 0 };
  const achieved = scored.every((p) => p.figure.achieved);
  if (withData === 0) return { percent: null, achieved, scored: true, withData, parts: scored.length };
  const totalWeight = scored.reduce((sum, p) => sum.plus(p.spec.weight), new Decimal(0));
  // all weights zero: fall back to the plain mean rather than divide by zero
  const percent = totalWeight.isZero()
    ? scored.reduce((sum, p) => sum.plus(capped(p.figure.percent)), new Decimal(0)).div(scored.length)
    : scored.reduce((sum, p) => sum.plus(capped(p.figure.percent).times(p.spec.weight)), new Decimal(0)).div(totalWeight);
  return { percent, achieved, scored: true, withData, parts: scored.length };
}

/**
 * A plan or an agency: the mean of its scored projects, each capped at 100; a project with no data
 * counts 0, one with only TRACKED indicators is left out.
 */
export function meanRollup(projects: Rollup[]): Rollup {
  const scored = projects.filter((p) => p.scored);
  const withData = scored.filter((p) => p.percent !== null).length;
  if (scored.length === 0) return { percent: null, achieved: false, scored: false, withData: 0, parts: 0 };
  const achieved = scored.every((p) => p.achieved);
  if (withData === 0) return { percent: null, achieved, scored: true, withData, parts: scored.length };
  const total = scored.reduce((sum, p) => sum.plus(capped(p.percent)), new Decimal(0));
  return { percent: total.div(scored.length), achieved, scored: true, withData, parts: scored.length };
}

export function rollupStatus(rollup: Rollup, expected: number): Status {
  if (!rollup.scored) return 'NOT_SCORED';
  if (rollup.percent === null) return 'NO_DATA';
  return statusOf(rollup.percent, rollup.achieved, expected);
}
