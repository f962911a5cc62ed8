import { describe, expect, it } from 'vitest';
import {
  TOTAL,
  expectedFor,
  expectedPercent,
  figureOf,
  figureStatus,
  meanRollup,
  percentOf,
  projectRollup,
  rollupStatus,
  statusOf,
  type IndicatorSpec,
  type ValuesAsOf,
} from '../../src/progress/progress.engine.js';
import { Decimal, roundPercent } from '../../src/shared/decimal.js';

const spec = (over: Partial<IndicatorSpec>): IndicatorSpec => ({
  id: 1,
  kind: 'TARGET',
  accumulation: 'SUM',
  aggregation: 'SUM',
  direction: 'AT_LEAST',
  target: '100',
  baseline: null,
  weight: '1',
  numeratorId: null,
  denominatorId: null,
  stages: [],
  regionTargets: new Map(),
  silentUnits: new Set(),
  ...over,
});
const pct = (s: IndicatorSpec, value: string) => {
  const { percent, achieved } = percentOf(s, new Decimal(value));
  return { percent: percent?.toFixed() ?? null, achieved };
};

describe('expected progress', () => {
  it('counts whole days up to and including the date', () => {
    expect(expectedPercent('2023-01-01', '2023-12-31', '2023-01-01')).toBe(0.27); // 1/365 = 0.2739…
    expect(expectedPercent('2023-01-01', '2023-12-31', '2023-07-02')).toBe(50.14); // 183/365 = 50.136…
    expect(expectedPercent('2023-01-01', '2023-12-31', '2022-12-31')).toBe(0);
    expect(expectedPercent('2023-01-01', '2023-12-31', '2023-12-31')).toBe(100);
    expect(expectedPercent('2023-01-01', '2023-12-31', '2024-03-01')).toBe(100);
    expect(expectedPercent('2024-01-01', '2024-12-31', '2024-12-30')).toBe(99.73); // leap year: 365/366 = 99.726…
  });
});

describe('percent by kind', () => {
  it('TARGET: value over target, not capped', () => {
    expect(pct(spec({ target: '86' }), '43')).toEqual({ percent: '50', achieved: false });
    expect(pct(spec({ target: '2080' }), '3908.32')).toEqual({ percent: '187.9', achieved: true });
  });

  it('THRESHOLD at least, and at most', () => {
    const atLeast = spec({ kind: 'THRESHOLD', target: '95' });
    expect(pct(atLeast, '95')).toEqual({ percent: '100', achieved: true });
    expect(pct(atLeast, '76')).toEqual({ percent: '80', achieved: false });
    const atMost = spec({ kind: 'THRESHOLD', direction: 'AT_MOST', target: '4.3' });
    expect(pct(atMost, '3.9')).toEqual({ percent: '100', achieved: true });
    expect(pct(atMost, '4.3')).toEqual({ percent: '100', achieved: true });
    expect(pct(atMost, '8.6')).toEqual({ percent: '50', achieved: false }); // 4.3 / 8.6
  });

  it('LEVEL from the baseline, or all-or-nothing without one', () => {
    const urban = spec({ kind: 'LEVEL', target: '885', baseline: '825' });
    expect(pct(urban, '825')).toEqual({ percent: '0', achieved: false });
    expect(pct(urban, '870')).toEqual({ percent: '75', achieved: false }); // 45 / 60
    expect(pct(urban, '900')).toEqual({ percent: '125', achieved: true });
    const newAllowance = spec({ kind: 'LEVEL', target: '1380', baseline: null });
    expect(pct(newAllowance, '1379.99')).toEqual({ percent: '0', achieved: false });
    expect(pct(newAllowance, '1380')).toEqual({ percent: '100', achieved: true });
  });

  it('TRACKED has no percent', () => {
    expect(pct(spec({ kind: 'TRACKED', target: null }), '200')).toEqual({ percent: null, achieved: false });
  });
});

describe('a MILESTONE', () => {
  const milestone = spec({
    kind: 'MILESTONE',
    accumulation: 'STAGES',
    aggregation: 'MIN',
    target: null,
    stages: [
      { id: 11, weight: '50' },
      { id: 12, weight: '25' },
      { id: 13, weight: '25' },
    ],
  });
  const at = (stages: Record<number, string>): ValuesAsOf =>
    new Map([
      [
        1,
        new Map([
          [100, new Map(Object.entries(stages).map(([id, v]) => [Number(id), { sum: v, latest: v, lastObservedOn: '2023-05-01' }]))],
        ]),
      ],
    ]);

  it('half done is 50 %; a stage reported undone again no longer counts', () => {
    const specs = new Map([[1, milestone]]);
    const half = figureOf(milestone, specs, at({ 11: '1' }), 100, [100]);
    expect([half.value?.toFixed(), half.percent?.toFixed(), half.achieved]).toEqual(['50', '50', false]);
    const undone = figureOf(milestone, specs, at({ 11: '1', 12: '0' }), 100, [100]);
    expect(undone.value?.toFixed()).toBe('50');
    const all = figureOf(milestone, specs, at({ 11: '1', 12: '1', 13: '1' }), TOTAL, [100]);
    expect([all.percent?.toFixed(), all.achieved]).toEqual(['100', true]);
  });
});

const series = (v: string) => new Map([[0, { sum: v, latest: v, lastObservedOn: '2023-03-01' }]]);
const valuesOf = (byIndicator: Record<number, Record<number, string>>): ValuesAsOf =>
  new Map(
    Object.entries(byIndicator).map(([id, units]) => [Number(id), new Map(Object.entries(units).map(([u, v]) => [Number(u), series(v)]))]),
  );
// 100 is 市本级 (the city code), 101 and 102 two counties
const units = [100, 101, 102];

describe('全市 and the reporting units (DESIGN.md 4.1)', () => {
  it('全市 adds 市本级 to the counties: 市本级 never replaces them', () => {
    const s = spec({ id: 1, target: '19.5' });
    const values = valuesOf({ 1: { 100: '5', 101: '1.2', 102: '0.4013' } });
    // 5 + 1.2 + 0.4013 = 6.6013 of 19.5 = 33.852820…%
    const total = figureOf(s, new Map([[1, s]]), values, TOTAL, units);
    expect(total.value?.toFixed()).toBe('6.6013');
    expect(roundPercent(total.percent!)).toBe(33.85);
    // 市本级 alone is a unit: its own 5, and no percent without a decomposed target
    const city = figureOf(s, new Map([[1, s]]), values, 100, units);
    expect([city.value?.toFixed(), city.percent, city.scored]).toEqual(['5', null, false]);
  });

  it('a LEVEL standard: 全市 is the lowest unit that reported, and each unit is scored as it is', () => {
    const s = spec({ id: 1, kind: 'LEVEL', accumulation: 'LATEST', aggregation: 'MIN', target: '885', baseline: '825' });
    const values = valuesOf({ 1: { 101: '885', 102: '855' } });
    const specs = new Map([[1, s]]);
    // min(885, 855) = 855: (855 − 825) / (885 − 825) = 30 / 60 = 50 %
    expect(figureOf(s, specs, values, TOTAL, units).percent?.toFixed()).toBe('50');
    expect(figureOf(s, specs, values, 101, units).percent?.toFixed()).toBe('100');
    expect(figureOf(s, specs, values, 102, units).percent?.toFixed()).toBe('50');
    // 市本级 reported nothing: it is left out of the minimum, and has no data of its own
    expect(figureOf(s, specs, values, 100, units).value).toBeNull();
  });

  it('a ratio is the ratio of the sums, never the mean of the ratios', () => {
    const numerator = spec({ id: 1, kind: 'TRACKED', target: null });
    const denominator = spec({ id: 2, kind: 'TRACKED', target: null });
    const ratio = spec({
      id: 3,
      kind: 'THRESHOLD',
      accumulation: 'DERIVED',
      aggregation: 'RATIO',
      target: '50',
      numeratorId: 1,
      denominatorId: 2,
    });
    const specs = new Map([
      [1, numerator],
      [2, denominator],
      [3, ratio],
    ]);
    // region A 1 of 2 (50 %), region B 9 of 10 (90 %): the city is 10 of 12 = 83.33… %, not (50 + 90) / 2 = 70
    const values = valuesOf({ 1: { 101: '1', 102: '9' }, 2: { 101: '2', 102: '10' } });
    const city = figureOf(ratio, specs, values, TOTAL, units);
    expect(city.value?.toDecimalPlaces(4).toFixed()).toBe('83.3333');
    // each unit is held to the bound as it is: A's 50 % of a 50 % bound is within it
    expect(figureOf(ratio, specs, values, 101, units).achieved).toBe(true);
    expect(figureOf(ratio, specs, values, 101, units).shareOfCity).toBeNull();
  });
});

describe('decomposed targets (DESIGN.md 4.3)', () => {
  const aeds = spec({ id: 1, target: '86', regionTargets: new Map([[101, '10']]) });
  const specs = new Map([[1, aeds]]);
  const values = valuesOf({ 1: { 101: '4', 102: '6' } });

  it('a unit with a target of its own is scored against it', () => {
    // 4 of its own 10 = 40 %, never 4 of the city's 86 = 4.65 %
    const own = figureOf(aeds, specs, values, 101, units);
    expect([own.percent?.toFixed(), own.scored]).toEqual(['40', true]);
    expect(figureStatus(own, 'TARGET', 30)).toBe('ON_TRACK');
  });

  it('a unit without one shows its value and its share of 全市, not scored', () => {
    const other = figureOf(aeds, specs, values, 102, units);
    // 6 of 全市 4 + 6 = 10 is 60 %
    expect([other.value?.toFixed(), other.percent, other.shareOfCity?.toFixed()]).toEqual(['6', null, '60']);
    expect(figureStatus(other, 'TARGET', 30)).toBe('NOT_SCORED');
    // without data it is still NOT_SCORED, never NO_DATA: nothing was asked of it
    expect(figureStatus(figureOf(aeds, specs, values, 100, units), 'TARGET', 30)).toBe('NOT_SCORED');
  });

  it('全市 keeps the plan target: 10 of 86', () => {
    const total = figureOf(aeds, specs, values, TOTAL, units);
    expect(roundPercent(total.percent!)).toBe(11.63); // 1000 / 86 = 11.627…
    expect(total.shareOfCity).toBeNull();
  });
});

describe('status', () => {
  const figure = (percent: string | null, achieved = false, scored = true) => ({
    value: percent === null ? null : new Decimal(1),
    percent: percent === null ? null : new Decimal(percent),
    achieved,
    lastObservedOn: null,
    scored,
    shareOfCity: null,
  });

  it('is ON_TRACK at or above expected, LAGGING up to 10 points behind, BEHIND beyond', () => {
    expect(statusOf(new Decimal('49.86'), false, 49.86)).toBe('ON_TRACK');
    expect(statusOf(new Decimal('39.86'), false, 49.86)).toBe('LAGGING');
    expect(statusOf(new Decimal('39.85'), false, 49.86)).toBe('BEHIND');
    expect(statusOf(new Decimal('10'), true, 49.86)).toBe('ACHIEVED');
    expect(figureStatus(figure(null), 'TARGET', 49.86)).toBe('NO_DATA');
  });

  it('a bound ignores time elapsed: ACHIEVED within it, LAGGING at 90 % of it, BEHIND below', () => {
    // recovery 83 % of a 95 % bound is 87.37 % of it: BEHIND in January as in December
    expect(figureStatus(figure('87.368421', false), 'THRESHOLD', 5)).toBe('BEHIND');
    expect(figureStatus(figure('90', false), 'THRESHOLD', 99)).toBe('LAGGING');
    expect(figureStatus(figure('99.999', false), 'THRESHOLD', 1)).toBe('LAGGING');
    expect(figureStatus(figure('100', true), 'THRESHOLD', 1)).toBe('ACHIEVED');
    expect(expectedFor('THRESHOLD', 37.5)).toBe(100);
    expect(expectedFor('TARGET', 37.5)).toBe(37.5);
  });

  it('TRACKED is NOT_SCORED, never ON_TRACK', () => {
    expect(figureStatus(figure(null, false, false), 'TRACKED', 50)).toBe('NOT_SCORED');
    const tracked = spec({ id: 1, kind: 'TRACKED', target: null });
    const f = figureOf(tracked, new Map([[1, tracked]]), valuesOf({ 1: { 101: '18230' } }), TOTAL, units);
    expect([f.value?.toFixed(), f.percent, figureStatus(f, 'TRACKED', 50)]).toEqual(['18230', null, 'NOT_SCORED']);
  });
});

describe('roll-ups: missing data is no progress (DESIGN.md 4.5)', () => {
  const part = (weight: string, percent: string | null, kind: IndicatorSpec['kind'] = 'TARGET', achieved = false) => ({
    spec: spec({ kind, weight }),
    figure: {
      value: percent === null ? null : new Decimal(1),
      percent: percent === null ? null : new Decimal(percent),
      achieved,
      lastObservedOn: null,
      scored: kind !== 'TRACKED',
      shareOfCity: null,
    },
  });

  it('a project is the weighted mean of capped percents; no data counts 0, TRACKED is left out', () => {
    // (2 × 100 [capped from 150] + 1 × 40 + 1 × 0 [no data]) / 4 = 60
    const rollup = projectRollup([part('2', '150', 'TARGET', true), part('1', '40'), part('1', null), part('5', null, 'TRACKED')]);
    expect([rollup.percent?.toFixed(), rollup.withData, rollup.parts, rollup.achieved]).toEqual(['60', 2, 3, false]);
  });

  it('one indicator of five at 100 % is a project at 20 %, not 100 %', () => {
    const rollup = projectRollup([part('1', '100', 'TARGET', true), part('1', null), part('1', null), part('1', null), part('1', null)]);
    expect([rollup.percent?.toFixed(), rollup.withData, rollup.parts]).toEqual(['20', 1, 5]);
    expect(rollupStatus(rollup, 80.27)).toBe('BEHIND');
  });

  it('a project with no data is NO_DATA; one of TRACKED only is NOT_SCORED', () => {
    const empty = projectRollup([part('1', null), part('1', null, 'TRACKED')]);
    expect([empty.percent, empty.scored, rollupStatus(empty, 50)]).toEqual([null, true, 'NO_DATA']);
    const trackedOnly = projectRollup([part('1', null, 'TRACKED'), part('1', null, 'TRACKED')]);
    expect([trackedOnly.scored, trackedOnly.parts, rollupStatus(trackedOnly, 50)]).toEqual([false, 0, 'NOT_SCORED']);
  });

  it('a plan is the mean of its scored projects: no data counts 0, TRACKED-only projects left out', () => {
    const rollup = meanRollup([
      { percent: new Decimal(80), achieved: false, scored: true, withData: 1, parts: 1 },
      { percent: null, achieved: false, scored: true, withData: 0, parts: 1 },
      { percent: new Decimal(50), achieved: false, scored: true, withData: 1, parts: 1 },
      { percent: null, achieved: false, scored: false, withData: 0, parts: 0 },
    ]);
    // (80 + 0 + 50) / 3 = 43.33…
    expect([roundPercent(rollup.percent!), rollup.withData, rollup.parts]).toEqual([43.33, 2, 3]);
  });
});
