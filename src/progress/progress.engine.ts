import { DateTime } from 'luxon';
import { Decimal, HUNDRED, roundPercent } from '../shared/decimal.js';

/**
 * The progress semantics of DESIGN.md section 4, as pure functions over exact decimals.
 * Nothing here reads the database or the clock: the same inputs always give the same figures.
 */

export type Kind = 'TARGET' | 'THRESHOLD' | 'LEVEL' | 'MILESTONE' | 'TRACKED';
export type Status = 'ACHIEVED' | 'ON_TRACK' | 'LAGGING' | 'BEHIND' | 'NO_DATA';

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
}

/** A region's series of one indicator (and stage) as of a date: what the daily roll-up gives. */
export interface SeriesAsOf {
  sum: string;
  latest: string;
  lastObservedOn: string;
}

/** indicator id → region id → stage id (0 for none) → the series as of the date */
export type ValuesAsOf = Map<number, Map<number, Map<number, SeriesAsOf>>>;

export interface IndicatorFigure {
  value: Decimal | null;
  percent: Decimal | null;
  achieved: boolean;
  lastObservedOn: string | null;
}

export interface Shown {
  value: string | null;
  percent: number | null;
  expectedPercent: number;
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

/**
 * The red–yellow–green status. Compared as shown (two decimals), so the colour always agrees with
 * the two numbers beside it.
 */
export function statusOf(percent: Decimal | null, achieved: boolean, expected: number, hasValue: boolean): Status {
  if (!hasValue) return 'NO_DATA';
  if (achieved) return 'ACHIEVED';
  // TRACKED: a value and no target, so nothing to be behind on
  if (percent === null) return 'ON_TRACK';
  const shown = roundPercent(percent);
  if (shown >= expected) return 'ON_TRACK';
  return new Decimal(expected).minus(shown).lte(10) ? 'LAGGING' : 'BEHIND';
}

/** Ratios rarely end: a derived value is shown to six decimals (roll-ups keep the exact figure). */
export const derivedValueScale = 6;

export function showValue(value: Decimal, derived: boolean): string {
  return (derived ? value.toDecimalPlaces(derivedValueScale, Decimal.ROUND_HALF_UP) : value).toFixed();
}

export function show(figure: IndicatorFigure, expected: number, derived = false): Shown {
  return {
    value: figure.value === null ? null : showValue(figure.value, derived),
    percent: figure.percent === null ? null : roundPercent(figure.percent),
    expectedPercent: expected,
    achieved: figure.achieved,
    status: statusOf(figure.percent, figure.achieved, expected, figure.value !== null),
  };
}

/** The value of one indicator in one region, from that region's own series. */
function ownValue(spec: IndicatorSpec, byStage: Map<number, SeriesAsOf> | undefined): { value: Decimal; last: string } | undefined {
  if (!byStage || byStage.size === 0) return undefined;
  const last = [...byStage.values()]
    .map((s) => s.lastObservedOn)
    .sort()
    .pop()!;
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
 * An indicator's value in a region (or, for the city region, the city value) and its percent.
 * `regionIds` are the plan's non-city regions, aggregated when the city has no series of its own.
 */
export function figureOf(
  spec: IndicatorSpec,
  specs: Map<number, IndicatorSpec>,
  values: ValuesAsOf,
  regionId: number,
  cityRegionId: number,
  regionIds: number[],
): IndicatorFigure {
  const value = valueOf(spec, specs, values, regionId, cityRegionId, regionIds);
  if (!value) return { value: null, percent: null, achieved: false, lastObservedOn: null };
  const { percent, achieved } = percentOf(spec, value.value);
  return { value: value.value, percent, achieved, lastObservedOn: value.last };
}

function valueOf(
  spec: IndicatorSpec,
  specs: Map<number, IndicatorSpec>,
  values: ValuesAsOf,
  regionId: number,
  cityRegionId: number,
  regionIds: number[],
): { value: Decimal; last: string | null } | undefined {
  if (spec.accumulation === 'DERIVED') {
    // a ratio is the ratio of the (aggregated) numerator and denominator, never an average of ratios
    const numerator = valueOf(specs.get(spec.numeratorId!)!, specs, values, regionId, cityRegionId, regionIds);
    const denominator = valueOf(specs.get(spec.denominatorId!)!, specs, values, regionId, cityRegionId, regionIds);
    if (!numerator || !denominator || denominator.value.isZero()) return undefined;
    return { value: numerator.value.div(denominator.value).times(100), last: maxOf([numerator.last, denominator.last]) };
  }
  const perRegion = values.get(spec.id);
  const own = ownValue(spec, perRegion?.get(regionId));
  if (own || regionId !== cityRegionId) return own;
  // the city has no series of its own: aggregate the regions that reported
  const reported = regionIds.map((id) => ownValue(spec, perRegion?.get(id))).filter((v) => v !== undefined);
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

export function percentOf(spec: IndicatorSpec, value: Decimal): { percent: Decimal | null; achieved: boolean } {
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
      return { percent: null, achieved: false };
  }
}

export interface Rollup {
  percent: Decimal | null;
  achieved: boolean;
  /** the parts with a percent, and all the parts that could have one */
  withData: number;
  parts: number;
}

/** A project: the weighted mean of its indicators' percents, each capped at 100 (TRACKED left out). */
export function projectRollup(parts: { spec: IndicatorSpec; figure: IndicatorFigure }[]): Rollup {
  const scored = parts.filter((p) => p.spec.kind !== 'TRACKED');
  const withData = scored.filter((p) => p.figure.percent !== null);
  const achieved = scored.length > 0 && scored.every((p) => p.figure.achieved);
  if (withData.length === 0) return { percent: null, achieved, withData: 0, parts: scored.length };
  const totalWeight = withData.reduce((sum, p) => sum.plus(p.spec.weight), new Decimal(0));
  const weighted = withData.reduce((sum, p) => sum.plus(Decimal.min(p.figure.percent!, HUNDRED).times(p.spec.weight)), new Decimal(0));
  // all weights zero: fall back to the plain mean rather than divide by zero
  const percent = totalWeight.isZero()
    ? withData.reduce((sum, p) => sum.plus(Decimal.min(p.figure.percent!, HUNDRED)), new Decimal(0)).div(withData.length)
    : weighted.div(totalWeight);
  return { percent, achieved, withData: withData.length, parts: scored.length };
}

/** A plan or an agency: the mean of its projects' percents (projects with no data left out). */
export function meanRollup(projects: Rollup[]): Rollup {
  const withData = projects.filter((p) => p.percent !== null);
  const achieved = projects.length > 0 && projects.every((p) => p.achieved);
  if (withData.length === 0) return { percent: null, achieved, withData: 0, parts: projects.length };
  const total = withData.reduce((sum, p) => sum.plus(Decimal.min(p.percent!, HUNDRED)), new Decimal(0));
  return { percent: total.div(withData.length), achieved, withData: withData.length, parts: projects.length };
}
