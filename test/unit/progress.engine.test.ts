import { describe, expect, it } from 'vitest';
import {
  expectedPercent,
  figureOf,
  meanRollup,
  percentOf,
  projectRollup,
  statusOf,
  type IndicatorSpec,
  type ValuesAsOf,
} from '../../src/progress/progress.engine.js';
import { Decimal } from '../../src/shared/decimal.js';

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
    const half = figureOf(milestone, specs, at({ 11: '1' }), 100, 100, []);
    expect([half.value?.toFixed(), half.percent?.toFixed(), half.achieved]).toEqual(['50', '50', false]);
    const undone = figureOf(milestone, specs, at({ 11: '1', 12: '0' }), 100, 100, []);
    expect(undone.value?.toFixed()).toBe('50');
    const all = figureOf(milestone, specs, at({ 11: '1', 12: '1', 13: '1' }), 100, 100, []);
    expect([all.percent?.toFixed(), all.achieved]).toEqual(['100', true]);
  });
});

describe('city values', () => {
  const series = (v: string) => new Map([[0, { sum: v, latest: v, lastObservedOn: '2023-03-01' }]]);
  it('a city series of its own wins over the regions', () => {
    const s = spec({ id: 1 });
    const values: ValuesAsOf = new Map([
      [
        1,
        new Map([
          [100, series('7')],
          [101, series('3')],
          [102, series('4')],
        ]),
      ],
    ]);
    expect(figureOf(s, new Map([[1, s]]), values, 100, 100, [101, 102]).value?.toFixed()).toBe('7');
    const noCity: ValuesAsOf = new Map([
      [
        1,
        new Map([
          [101, series('3')],
          [102, series('4')],
        ]),
      ],
    ]);
    expect(figureOf(s, new Map([[1, s]]), noCity, 100, 100, [101, 102]).value?.toFixed()).toBe('7');
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
    const values: ValuesAsOf = new Map([
      [
        1,
        new Map([
          [101, series('1')],
          [102, series('9')],
        ]),
      ],
      [
        2,
        new Map([
          [101, series('2')],
          [102, series('10')],
        ]),
      ],
    ]);
    const city = figureOf(ratio, specs, values, 100, 100, [101, 102]);
    expect(city.value?.toDecimalPlaces(4).toFixed()).toBe('83.3333');
  });
});

describe('status', () => {
  it('is ON_TRACK at or above expected, LAGGING up to 10 points behind, BEHIND beyond', () => {
    expect(statusOf(new Decimal('49.86'), false, 49.86, true)).toBe('ON_TRACK');
    expect(statusOf(new Decimal('39.86'), false, 49.86, true)).toBe('LAGGING');
    expect(statusOf(new Decimal('39.85'), false, 49.86, true)).toBe('BEHIND');
    expect(statusOf(new Decimal('10'), true, 49.86, true)).toBe('ACHIEVED');
    expect(statusOf(null, false, 49.86, false)).toBe('NO_DATA');
  });
});

describe('roll-ups', () => {
  const part = (weight: string, percent: string | null, kind: IndicatorSpec['kind'] = 'TARGET', achieved = false) => ({
    spec: spec({ kind, weight }),
    figure: {
      value: percent === null ? null : new Decimal(1),
      percent: percent === null ? null : new Decimal(percent),
      achieved,
      lastObservedOn: null,
    },
  });

  it('a project is the weighted mean of capped percents, TRACKED and no-data parts left out', () => {
    // (2 × 100 [capped from 150] + 1 × 40) / 3 = 80
    const rollup = projectRollup([part('2', '150', 'TARGET', true), part('1', '40'), part('1', null), part('5', null, 'TRACKED')]);
    expect([rollup.percent?.toFixed(), rollup.withData, rollup.parts, rollup.achieved]).toEqual(['80', 2, 3, false]);
  });

  it('a plan is the mean of the projects with data', () => {
    const rollup = meanRollup([
      { percent: new Decimal(80), achieved: false, withData: 1, parts: 1 },
      { percent: null, achieved: false, withData: 0, parts: 1 },
      { percent: new Decimal(50), achieved: false, withData: 1, parts: 1 },
    ]);
    expect([rollup.percent?.toFixed(), rollup.withData, rollup.parts]).toEqual(['65', 2, 3]);
  });
});
