import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for five bureaus' data feeds (人社局, 民政局, 残联, 卫健委, 红十字会), on 127.0.0.1 only:
 * the hub's feed-pulling jobs, their tests and the demo pull from it. Its data is generated from a seed
 * (the same seed, the same data), money travels as two-decimal strings, and every feed can be told to
 * fail, stall or slow down.
 */

export type SimFeed = 'hrss' | 'civil' | 'dpf' | 'health' | 'redcross';
export type FailMode = '500' | 'timeout' | 'malformed' | 'html' | 'bad-header';

export interface LoanRecord {
  loanId: string;
  borrowerType: 'PERSONAL' | 'ENTERPRISE';
  borrowerCategory: string | null;
  county: string;
  countyCode: string;
  amountYuan: string;
  issuedOn: string;
  dueOn: string | null;
  repaidAmountYuan: string | null;
  repaidOn: string | null;
  interestWaivedYuan: string;
  updatedAt: string;
}
export interface StandardRow {
  recordId: string;
  regionName: string;
  regionCode: string;
  standard: string;
  amountYuan: string;
  effectiveDate: string;
}
export interface RetrofitRecord {
  id: string;
  county: string;
  countyCode: string;
  households: number;
  completedOn: string;
}
export interface ScreeningRecord {
  id: string;
  regionCode: string;
  month: string;
  prenatalScreenings: number;
  newbornScreenings: number;
}
export interface AedRow {
  deviceId: string;
  site: string;
  siteType: string;
  regionCode: string;
  installedOn: string;
  trainedPeople: number;
}
export interface SimulatorData {
  loans: LoanRecord[];
  standards: StandardRow[];
  retrofits: RetrofitRecord[];
  screenings: ScreeningRecord[];
  aeds: AedRow[];
}

export interface FeedStats {
  requests: number;
  inFlight: number;
  maxConcurrent: number;
}

export interface Simulator {
  url: string;
  setData(data: Partial<SimulatorData>): void;
  fail(feed: SimFeed, mode: FailMode, options?: { times?: number; onPage?: number }): void;
  setDelay(feed: SimFeed, ms: number): void;
  stats(feed: SimFeed): FeedStats;
  reset(): void;
  close(): Promise<void>;
}

export interface FeedDescription {
  feed: SimFeed;
  agency: string;
  method: 'GET' | 'POST';
  url: string;
  format: string;
}

export const SIM_FEEDS: readonly SimFeed[] = ['hrss', 'civil', 'dpf', 'health', 'redcross'];
export const DEFAULT_SEED = 20230531;

// ---------------------------------------------------------------------------------------------------
// Generated data
// ---------------------------------------------------------------------------------------------------

/**
 * The reporting units of plans/shangrao-2023.yaml: twelve counties, three zones and 市本级. A county's
 * population (万人, rounded census figures) only weights the generated figures so that 鄱阳县 reports
 * more than 横峰县; its short name names sites.
 */
const COUNTIES = [
  { code: '361102', name: '信州区', short: '信州', population: 49 },
  { code: '361103', name: '广丰区', short: '广丰', population: 79 },
  { code: '361104', name: '广信区', short: '广信', population: 74 },
  { code: '361123', name: '玉山县', short: '玉山', population: 55 },
  { code: '361124', name: '铅山县', short: '铅山', population: 37 },
  { code: '361125', name: '横峰县', short: '横峰', population: 19 },
  { code: '361126', name: '弋阳县', short: '弋阳', population: 34 },
  { code: '361127', name: '余干县', short: '余干', population: 90 },
  { code: '361128', name: '鄱阳县', short: '鄱阳', population: 128 },
  { code: '361129', name: '万年县', short: '万年', population: 35 },
  { code: '361130', name: '婺源县', short: '婺源', population: 32 },
  { code: '361181', name: '德兴市', short: '德兴', population: 29 },
] as const;
type County = (typeof COUNTIES)[number];
const ZONES = [
  { code: 'SR-ETDZ', name: '上饶经济技术开发区' },
  { code: 'SR-SQS', name: '三清山风景名胜区' },
  { code: 'SR-HSR', name: '上饶高铁经济试验区' },
] as const;
/** 市本级: the city's own unit (its guarantee centre lends too), beside the counties and zones */
const CITY = { code: '361100', name: '市本级' } as const;
interface Unit {
  code: string;
  name: string;
}
/** the units that report by county or zone (standards, AEDs) */
const REGIONS: readonly Unit[] = [...COUNTIES, ...ZONES];
const unitOf = (code: string): Unit => [...REGIONS, CITY].find((unit) => unit.code === code)!;

/** mulberry32: a small, fast PRNG; enough for plausible figures, and the same seed gives the same data. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** an integer in [min, max], both included */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    let remaining = this.next() * items.reduce((sum, item) => sum + weight(item), 0);
    for (const item of items) {
      remaining -= weight(item);
      if (remaining < 0) return item;
    }
    return items[items.length - 1];
  }
}

const DAY_MS = 86_400_000;
const YEAR_START = Date.UTC(2023, 0, 1);
const LAST_DAY = 365;

/** Day 1 is 2023-01-01. */
const dateOfDay = (day: number): string => new Date(YEAR_START + (day - 1) * DAY_MS).toISOString().slice(0, 10);
const weekdayOfDay = (day: number): number => new Date(YEAR_START + (day - 1) * DAY_MS).getUTCDay();
const atNineBeijing = (date: string): string => `${date}T09:00:00+08:00`;
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** Whole yuan or cents (integers, never floats in between) as "200000.00". */
const yuan = (wholeYuan: number): string => `${wholeYuan}.00`;
const yuanFromCents = (cents: bigint): string => `${cents / 100n}.${pad(Number(cents % 100n), 2)}`;
const divideHalfUp = (numerator: bigint, denominator: bigint): bigint => (2n * numerator + denominator) / (2n * denominator);

const byPopulation = (county: County): number => county.population;

/**
 * What each unit's banks lend in 2023 (万元, the whole year), the share of it lent to individuals,
 * and how reliably a loan that falls due is repaid in full. The city's guarantee centre (市本级) lends
 * more to small firms; 鄱阳县 and 余干县 have more defaults. Lending runs through the year, so by
 * late October about four fifths of each line is out: some units ahead of a pro-rata share, some behind.
 */
const LENDING: readonly { unit: Unit; wan: number; personalShare: number; repaidInFull: number }[] = [
  { unit: CITY, wan: 15_000, personalShare: 0.53, repaidInFull: 0.985 },
  { unit: unitOf('361102'), wan: 19_000, personalShare: 0.6, repaidInFull: 0.985 },
  { unit: unitOf('361103'), wan: 21_000, personalShare: 0.62, repaidInFull: 0.985 },
  { unit: unitOf('361104'), wan: 17_600, personalShare: 0.6, repaidInFull: 0.985 },
  { unit: unitOf('361123'), wan: 18_000, personalShare: 0.6, repaidInFull: 0.985 },
  { unit: unitOf('361124'), wan: 9_300, personalShare: 0.65, repaidInFull: 0.985 },
  { unit: unitOf('361125'), wan: 8_100, personalShare: 0.66, repaidInFull: 0.985 },
  { unit: unitOf('361126'), wan: 9_000, personalShare: 0.65, repaidInFull: 0.985 },
  { unit: unitOf('361127'), wan: 14_500, personalShare: 0.66, repaidInFull: 0.8 },
  { unit: unitOf('361128'), wan: 19_700, personalShare: 0.68, repaidInFull: 0.76 },
  { unit: unitOf('361129'), wan: 9_500, personalShare: 0.64, repaidInFull: 0.985 },
  { unit: unitOf('361130'), wan: 8_550, personalShare: 0.62, repaidInFull: 0.985 },
  { unit: unitOf('361181'), wan: 8_800, personalShare: 0.6, repaidInFull: 0.985 },
  { unit: unitOf('SR-ETDZ'), wan: 12_500, personalShare: 0.52, repaidInFull: 0.985 },
  { unit: unitOf('SR-SQS'), wan: 1_800, personalShare: 0.7, repaidInFull: 0.985 },
  { unit: unitOf('SR-HSR'), wan: 6_000, personalShare: 0.55, repaidInFull: 0.985 },
];
/**
 * One loan keeps the code of 上饶县, which became 广信区 (361104) in 2019: a branch's old system. The
 * plan has no such region, so the hub quarantines that record (the demo's one quarantined record).
 */
const STALE_COUNTY = { code: '361121', name: '上饶县', replacedBy: '361104' } as const;

// the six groups the plan names (利息全部免除), then everyone else (免除50%)
const FULLY_WAIVED_CATEGORIES = ['高校毕业生', '就业困难人员', '返乡创业农民工', '脱贫人口', '退捕渔民', '复员转业退役军人'] as const;
const BORROWER_CATEGORIES = [
  { name: '高校毕业生', weight: 20 },
  { name: '就业困难人员', weight: 12 },
  { name: '返乡创业农民工', weight: 30 },
  { name: '脱贫人口', weight: 10 },
  { name: '退捕渔民', weight: 4 },
  { name: '复员转业退役军人', weight: 8 },
  { name: '其他', weight: 16 },
] as const;
const SHORT_TERMS_DAYS = [91, 182, 273];
// 2023-01-21 .. 2023-01-27: the Spring Festival holiday, no lending
const SPRING_FESTIVAL = { from: 21, to: 27 };

function generateLoans(random: Random): LoanRecord[] {
  const drafts: Omit<LoanRecord, 'loanId'>[] = [];
  for (const lender of LENDING) {
    // the personal and the enterprise lines are filled loan by loan until each reaches its volume
    const personalYuan = Math.round(lender.wan * 10_000 * lender.personalShare);
    for (const [personal, volume] of [
      [true, personalYuan],
      [false, lender.wan * 10_000 - personalYuan],
    ] as const) {
      for (let lent = 0; lent < volume;) {
        const draft = draftLoan(random, lender, personal);
        drafts.push(draft);
        lent += Number(draft.amountYuan.slice(0, -3));
      }
    }
  }
  drafts.sort((a, b) => a.issuedOn.localeCompare(b.issuedOn));
  const stale = drafts.find((draft) => draft.countyCode === STALE_COUNTY.replacedBy && draft.issuedOn >= '2023-04-01')!;
  Object.assign(stale, { county: STALE_COUNTY.name, countyCode: STALE_COUNTY.code });
  return drafts.map((draft, index) => ({ loanId: `SR-CYDK-2023-${pad(index + 1, 5)}`, ...draft }));
}

function draftLoan(random: Random, lender: (typeof LENDING)[number], personal: boolean): Omit<LoanRecord, 'loanId'> {
  const category = personal ? random.weighted(BORROWER_CATEGORIES, (c) => c.weight).name : null;
  // individuals up to 300,000 元 (half of them borrow the most), small firms (小微企业) up to 4,000,000 元,
  // leaning to the small end
  const amount = personal
    ? random.chance(0.5)
      ? 300_000
      : 100_000 + 10_000 * random.int(0, 19)
    : 500_000 + 100_000 * Math.floor(random.float() ** 3 * 36);

  let issuedDay = random.int(5, 354); // 2023-01-05 .. 2023-12-20
  if (issuedDay >= SPRING_FESTIVAL.from && issuedDay <= SPRING_FESTIVAL.to) issuedDay = SPRING_FESTIVAL.to + 3; // Monday 2023-01-30
  if (weekdayOfDay(issuedDay) === 6) issuedDay += 2; // banks lend on weekdays
  if (weekdayOfDay(issuedDay) === 0) issuedDay += 1;
  const issuedOn = dateOfDay(issuedDay);

  // only loans issued early enough can fall due within 2023, so those are picked more often (~30 % overall)
  const terms = SHORT_TERMS_DAYS.filter((term) => issuedDay + term <= LAST_DAY);
  const dueDay = terms.length > 0 && random.chance(0.39) ? issuedDay + random.pick(terms) : undefined;

  let repaidAmountYuan: string | null = null;
  let repaidOn: string | null = null;
  if (dueDay !== undefined) {
    // drawn whatever the outcome, so a unit's repayment rate changes its defaults only, not the rest of the data
    const [repays, repaysPart, tenths, daysLate] = [random.float(), random.chance(0.5), random.int(4, 9), random.int(0, 10)];
    if (repays < lender.repaidInFull) {
      // the bank debits the borrower's account on the due date
      repaidAmountYuan = yuan(amount);
      repaidOn = dateOfDay(dueDay);
    } else if (repaysPart) {
      // overdue: part of it comes back within days, the rest falls to the guarantee fund
      repaidAmountYuan = yuan((amount / 10) * tenths);
      repaidOn = dateOfDay(Math.min(dueDay + daysLate, LAST_DAY));
    }
  }

  return {
    borrowerType: personal ? 'PERSONAL' : 'ENTERPRISE',
    borrowerCategory: category,
    county: lender.unit.name,
    countyCode: lender.unit.code,
    amountYuan: yuan(amount),
    issuedOn,
    dueOn: dueDay === undefined ? null : dateOfDay(dueDay),
    repaidAmountYuan,
    repaidOn,
    interestWaivedYuan: waivedInterest(amount, category, issuedDay, dueDay ?? LAST_DAY),
    updatedAt: atNineBeijing(repaidOn ?? issuedOn),
  };
}

/**
 * Interest waived in 2023 on a personal loan: the borrower's own part is taken as half of the 3.65 %
 * one-year LPR, i.e. 0.005 % of the amount a day; the six groups have all of it waived, others half.
 * Enterprise loans get no waiver.
 */
function waivedInterest(amount: number, category: string | null, fromDay: number, toDay: number): string {
  if (category === null) return '0.00';
  const share = (FULLY_WAIVED_CATEGORIES as readonly string[]).includes(category) ? 1n : 2n;
  const cents = divideHalfUp(BigInt(amount) * 100n * BigInt(toDay - fromDay), 20_000n * share);
  return yuanFromCents(cents);
}

/** The document's six 民政 standards: baseline ("提高60元") and 2023 target ("达到885元"). */
const STANDARDS = [
  { code: 'urban_dibao', baseline: 825, target: 885, dibao: true },
  { code: 'urban_dibao_subsidy', baseline: 530, target: 570, dibao: true },
  { code: 'rural_dibao', baseline: 600, target: 660, dibao: true },
  { code: 'rural_dibao_subsidy', baseline: 400, target: 440, dibao: true },
  { code: 'tekun_care', baseline: 1080, target: 1150, dibao: false },
  { code: 'tekun_self', baseline: 780, target: 860, dibao: false },
] as const;
type Standard = (typeof STANDARDS)[number];
interface StandardStep {
  effectiveDate: string;
  amount: (s: Standard) => number | undefined;
}

/**
 * Each county and zone raises its standards by notice. Most raise all six to the target at once,
 * between January and July. 余干县 goes halfway in February and the rest of the way in September;
 * 鄱阳县 raises its four 低保 figures three quarters of the way in March (870 of 825 → 885) and the
 * rest only from November, its 特困 standards in full in March.
 */
function generateStandards(random: Random): StandardRow[] {
  const rows: Omit<StandardRow, 'recordId'>[] = [];
  const raisedBy = (share: number) => (s: Standard) => s.baseline + (s.target - s.baseline) * share;
  for (const unit of REGIONS) {
    let steps: StandardStep[];
    if (unit.code === '361127') {
      steps = [
        { effectiveDate: '2023-02-01', amount: raisedBy(1 / 2) },
        { effectiveDate: '2023-09-01', amount: raisedBy(1) },
      ];
    } else if (unit.code === '361128') {
      steps = [
        { effectiveDate: '2023-03-01', amount: (s) => (s.dibao ? raisedBy(3 / 4)(s) : s.target) },
        { effectiveDate: '2023-11-01', amount: (s) => (s.dibao ? s.target : undefined) },
      ];
    } else {
      steps = [{ effectiveDate: `2023-${pad(random.int(1, 7), 2)}-01`, amount: raisedBy(1) }];
    }
    for (const step of steps) {
      for (const standard of STANDARDS) {
        const amount = step.amount(standard);
        if (amount === undefined) continue;
        rows.push({
          regionName: unit.name,
          regionCode: unit.code,
          standard: standard.code,
          amountYuan: yuan(amount),
          effectiveDate: step.effectiveDate,
        });
      }
    }
  }
  rows.sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate));
  return rows.map((row, index) => ({ recordId: `MZ-BZ-2023-${pad(index + 1, 4)}`, ...row }));
}

const RETROFIT_HOUSEHOLDS = 2100;

function generateRetrofits(random: Random): RetrofitRecord[] {
  const drafts: Omit<RetrofitRecord, 'id'>[] = [];
  for (let total = 0; total < RETROFIT_HOUSEHOLDS;) {
    const county = random.weighted(COUNTIES, byPopulation);
    const households = random.int(5, 40);
    // works start in March; batches are signed off evenly through the rest of the year
    const completedDay = 60 + Math.floor(random.float() * 300);
    drafts.push({ county: county.name, countyCode: county.code, households, completedOn: dateOfDay(completedDay) });
    total += households;
  }
  drafts.sort((a, b) => a.completedOn.localeCompare(b.completedOn));
  return drafts.map((draft, index) => ({ id: `CL-WZA-2023-${pad(index + 1, 4)}`, ...draft }));
}

// about 8.5 births a year per 1000 residents: 万人 × 10000 × 0.0085 / 12 ≈ 7 a month per 万人
const BIRTHS_PER_WAN_MONTHLY = 7.1;
// fewer around the Spring Festival (January 2023), more in late summer and autumn
const MONTH_SEASONALITY = [0.88, 0.92, 1.0, 0.97, 0.98, 0.99, 1.03, 1.06, 1.05, 1.04, 1.02, 1.06];

function generateScreenings(random: Random): ScreeningRecord[] {
  const records: ScreeningRecord[] = [];
  for (let month = 1; month <= 12; month++) {
    const lastDay = new Date(Date.UTC(2023, month, 0)).toISOString().slice(0, 10);
    for (const county of COUNTIES) {
      const expected = county.population * BIRTHS_PER_WAN_MONTHLY * MONTH_SEASONALITY[month - 1];
      records.push({
        id: `WJ-SC-2023${pad(month, 2)}-${county.code}`,
        regionCode: county.code,
        month: lastDay,
        prenatalScreenings: Math.round(expected * (0.95 + random.float() * 0.2)),
        newbornScreenings: Math.round(expected * (0.88 + random.float() * 0.15)),
      });
    }
  }
  return records;
}

/** The site types the document lists, weighted by how many of each a county would equip. */
const AED_SITE_TYPES = [
  {
    type: '学校',
    weight: 25,
    names: [
      (b: string) => `${b}第一中学`,
      (b: string) => `${b}第二中学`,
      (b: string) => `${b}实验小学`,
      (b: string) => `${b}职业中等专业学校`,
    ],
  },
  {
    type: '企事业单位',
    weight: 15,
    names: [
      (b: string) => `国网${b}供电公司`,
      (b: string) => `${b}自来水公司`,
      (b: string) => `${b}人民医院`,
      (b: string) => `${b}工业园区管委会`,
    ],
  },
  { type: '市民服务中心', weight: 12, names: [(b: string) => `${b}市民服务中心`, (b: string) => `${b}政务服务中心`] },
  { type: '客运车站', weight: 10, names: [(b: string) => `${b}汽车站`, (b: string) => `${b}汽车客运中心`] },
  { type: '火车站', weight: 8, names: [(b: string) => `${b}站`] },
  { type: '体育运动场馆', weight: 12, names: [(b: string) => `${b}体育中心`, (b: string) => `${b}全民健身中心`] },
  { type: '大型商场', weight: 10, names: [(b: string) => `${b}万达广场`, (b: string) => `${b}吾悦广场`, (b: string) => `${b}百货大楼`] },
] as const;
/** The zones' own sites: a scenic area has no schools or railway station of its own. */
const ZONE_AED_SITES: Record<string, readonly { type: string; site: string }[]> = {
  'SR-ETDZ': [
    { type: '企事业单位', site: '上饶经开区管委会' },
    { type: '企事业单位', site: '晶科能源上饶基地' },
    { type: '企事业单位', site: '吉利汽车上饶工厂' },
    { type: '市民服务中心', site: '上饶经开区政务服务中心' },
    { type: '大型商场', site: '上饶经开区邻里中心' },
  ],
  'SR-SQS': [
    { type: '市民服务中心', site: '三清山南部游客服务中心' },
    { type: '市民服务中心', site: '三清山东部游客服务中心' },
    { type: '客运车站', site: '三清山金沙索道下站' },
    { type: '客运车站', site: '三清山外双溪索道上站' },
    { type: '企事业单位', site: '三清山风景区管委会' },
    { type: '企事业单位', site: '三清山南清园景区管理处' },
  ],
  'SR-HSR': [
    { type: '火车站', site: '上饶站' },
    { type: '火车站', site: '上饶站' },
    { type: '客运车站', site: '上饶高铁站公交枢纽' },
    { type: '大型商场', site: '上饶高铁万达广场' },
    { type: '市民服务中心', site: '上饶高铁经济试验区政务服务中心' },
    { type: '体育运动场馆', site: '上饶市体育中心' },
  ],
};
/**
 * The Red Cross's deployment: devices per county and zone (86 in the plan, and two donated ones in
 * 信州区 and 婺源县) and the days of the year each unit's devices go in. Some units are done by
 * September, 鄱阳县 and 三清山 start late.
 */
const AED_DEPLOYMENT: readonly { code: string; devices: number; fromDay: number; toDay: number }[] = [
  { code: '361102', devices: 10, fromDay: 74, toDay: 255 },
  { code: '361103', devices: 7, fromDay: 80, toDay: 330 },
  { code: '361104', devices: 7, fromDay: 74, toDay: 349 },
  { code: '361123', devices: 6, fromDay: 74, toDay: 300 },
  { code: '361124', devices: 5, fromDay: 120, toDay: 349 },
  { code: '361125', devices: 3, fromDay: 74, toDay: 260 },
  { code: '361126', devices: 4, fromDay: 100, toDay: 320 },
  { code: '361127', devices: 6, fromDay: 74, toDay: 320 },
  { code: '361128', devices: 8, fromDay: 180, toDay: 349 },
  { code: '361129', devices: 4, fromDay: 90, toDay: 340 },
  { code: '361130', devices: 7, fromDay: 74, toDay: 320 },
  { code: '361181', devices: 4, fromDay: 140, toDay: 349 },
  { code: 'SR-ETDZ', devices: 5, fromDay: 74, toDay: 300 },
  { code: 'SR-SQS', devices: 6, fromDay: 160, toDay: 349 },
  { code: 'SR-HSR', devices: 6, fromDay: 74, toDay: 300 },
];

function generateAeds(random: Random): AedRow[] {
  const devicesAtSite = new Map<string, number>();
  const drafts: Omit<AedRow, 'deviceId'>[] = [];
  for (const { code, devices, fromDay, toDay } of AED_DEPLOYMENT) {
    const county = COUNTIES.find((c) => c.code === code);
    for (let i = 0; i < devices; i++) {
      let siteType: string;
      let site: string;
      if (!county) {
        ({ type: siteType, site } = ZONE_AED_SITES[code][i % ZONE_AED_SITES[code].length]);
      } else {
        // 上饶站 is in the 高铁 zone's list: 信州区 has no railway station of its own
        const types = code === '361102' ? AED_SITE_TYPES.filter((t) => t.type !== '火车站') : AED_SITE_TYPES;
        const type = random.weighted(types, (t) => t.weight);
        siteType = type.type;
        site = random.pick(type.names)(county.short);
      }
      const count = (devicesAtSite.get(site) ?? 0) + 1;
      devicesAtSite.set(site, count);
      drafts.push({
        site: count === 1 ? site : `${site}（第${count}台）`,
        siteType,
        regionCode: code,
        installedOn: dateOfDay(random.int(fromDay, toDay)),
        trainedPeople: random.int(10, 60),
      });
    }
  }
  drafts.sort((a, b) => a.installedOn.localeCompare(b.installedOn));
  return drafts.map((draft, index) => ({ deviceId: `HSH-AED-2023-${pad(index + 1, 3)}`, ...draft }));
}

/** The default data set; each feed draws from its own stream so changing one generator leaves the others as they were. */
export function defaultSimulatorData(seed: number = DEFAULT_SEED): SimulatorData {
  const stream = (n: number) => new Random((seed ^ Math.imul(n, 0x9e3779b1)) >>> 0);
  return {
    loans: generateLoans(stream(1)),
    standards: generateStandards(stream(2)),
    retrofits: generateRetrofits(stream(3)),
    screenings: generateScreenings(stream(4)),
    aeds: generateAeds(stream(5)),
  };
}

// ---------------------------------------------------------------------------------------------------
// Feeds
// ---------------------------------------------------------------------------------------------------

interface CsvTable {
  header: string[];
  rows: string[][];
}
/** What a feed answers before any injected failure: JSON (with its status) or a CSV table. */
type FeedOutput = { kind: 'json'; status: number; value: unknown } | { kind: 'csv'; table: CsvTable };

interface FeedRequest {
  method: string;
  url: URL;
  body: string;
}

interface LoanEntry {
  record: LoanRecord;
  at: number;
}
interface FeedState {
  data: SimulatorData;
  loansByUpdate: LoanEntry[];
}

interface FeedHandler {
  feed: SimFeed;
  agency: string;
  path: string;
  method: 'GET' | 'POST';
  format: 'json' | 'graphql' | 'csv';
  description: string;
  /** the 1-based page a request asks for (what `onPage` failures match); undefined when it cannot tell */
  pageOf(request: FeedRequest): number | undefined;
  respond(request: FeedRequest, state: FeedState): FeedOutput;
}

const HRSS_MAX_SIZE = 500;
const DPF_MAX_LIMIT = 500;
const HEALTH_MAX_FIRST = 100;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const jsonOutput = (status: number, value: unknown): FeedOutput => ({ kind: 'json', status, value });
const restError = (status: number, message: string): FeedOutput => jsonOutput(status, { error: message });
const graphqlError = (status: number, message: string): FeedOutput => jsonOutput(status, { errors: [{ message }] });

/** A positive integer parameter: the fallback when absent, undefined when not a positive integer. */
function positiveInteger(value: unknown, fallback: number): number | undefined {
  if (value === null || value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(number) && number >= 1 ? number : undefined;
}

interface CursorPosition {
  offset: number;
  page: number;
}
const FIRST_POSITION: CursorPosition = { offset: 0, page: 1 };

/** Cursors are opaque to clients; inside they carry the offset and the page number the cursor leads to. */
function encodeCursor(feed: SimFeed, position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ f: feed, o: position.offset, p: position.page })).toString('base64url');
}

function decodeCursor(feed: SimFeed, cursor: string): CursorPosition | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { f, o, p } = value as Record<string, unknown>;
    if (f !== feed || !Number.isSafeInteger(o) || !Number.isSafeInteger(p) || (o as number) < 0 || (p as number) < 1) return undefined;
    return { offset: o as number, page: p as number };
  } catch {
    return undefined;
  }
}

function graphqlVariables(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const variables = (parsed as { variables?: unknown }).variables;
    if (variables === undefined || variables === null) return {};
    return typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const hrssLoans: FeedHandler = {
  feed: 'hrss',
  agency: 'HRSS',
  path: '/hrss/loans',
  method: 'GET',
  format: 'json',
  description: 'JSON, page-number pagination: ?page=1&size=100 (max 500)&since=<ISO date-time>',
  pageOf: (request) => positiveInteger(request.url.searchParams.get('page'), 1),
  respond(request, state) {
    const params = request.url.searchParams;
    const page = positiveInteger(params.get('page'), 1);
    const size = positiveInteger(params.get('size'), 100);
    if (page === undefined || size === undefined) return restError(400, 'page and size must be positive integers');
    // an unencoded "+08:00" in a query string arrives as " 08:00"
    const sinceText = params.get('since')?.replace(' ', '+');
    let since = -Infinity;
    if (sinceText) {
      since = ISO_DATE_TIME.test(sinceText) ? Date.parse(sinceText) : NaN;
      if (Number.isNaN(since)) return restError(400, 'since must be an ISO date-time with an offset, e.g. 2023-02-10T08:00:00+08:00');
    }
    const pageSize = Math.min(size, HRSS_MAX_SIZE);
    const matching = state.loansByUpdate.filter((entry) => entry.at > since);
    const start = (page - 1) * pageSize;
    return jsonOutput(200, {
      page,
      size: pageSize,
      totalPages: Math.max(1, Math.ceil(matching.length / pageSize)),
      items: matching.slice(start, start + pageSize).map((entry) => entry.record),
    });
  },
};

const civilStandards: FeedHandler = {
  feed: 'civil',
  agency: 'CIVIL',
  path: '/civil/standards.csv',
  method: 'GET',
  format: 'csv',
  description: 'CSV: record_id,region_name,region_code,standard,amount_yuan,effective_date',
  pageOf: () => 1,
  respond: (_request, state) => ({
    kind: 'csv',
    table: {
      header: ['record_id', 'region_name', 'region_code', 'standard', 'amount_yuan', 'effective_date'],
      rows: state.data.standards.map((s) => [s.recordId, s.regionName, s.regionCode, s.standard, s.amountYuan, s.effectiveDate]),
    },
  }),
};

const dpfRetrofits: FeedHandler = {
  feed: 'dpf',
  agency: 'DPF',
  path: '/dpf/retrofits',
  method: 'GET',
  format: 'json',
  description: 'JSON, cursor pagination: ?limit=50&cursor=<nextCursor>',
  pageOf(request) {
    const cursor = request.url.searchParams.get('cursor');
    return cursor ? decodeCursor('dpf', cursor)?.page : 1;
  },
  respond(request, state) {
    const limit = positiveInteger(request.url.searchParams.get('limit'), 50);
    if (limit === undefined) return restError(400, 'limit must be a positive integer');
    const cursor = request.url.searchParams.get('cursor');
    const position = cursor ? decodeCursor('dpf', cursor) : FIRST_POSITION;
    if (!position) return restError(400, 'cursor is not one this feed gave out');
    const end = position.offset + Math.min(limit, DPF_MAX_LIMIT);
    const records = state.data.retrofits;
    return jsonOutput(200, {
      data: records.slice(position.offset, end),
      nextCursor: end < records.length ? encodeCursor('dpf', { offset: end, page: position.page + 1 }) : null,
    });
  },
};

const healthScreenings: FeedHandler = {
  feed: 'health',
  agency: 'HEALTH',
  path: '/health/graphql',
  method: 'POST',
  format: 'graphql',
  description: 'GraphQL (POST): screenings(first: Int = 20, after: String) { nodes { … } pageInfo { endCursor hasNextPage } }',
  pageOf(request) {
    const after = graphqlVariables(request.body)?.after;
    if (after === undefined || after === null) return 1;
    return typeof after === 'string' ? decodeCursor('health', after)?.page : undefined;
  },
  respond(request, state) {
    if (request.method !== 'POST') return graphqlError(400, 'send GraphQL queries with POST');
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || typeof (body as { query?: unknown }).query !== 'string') {
      return graphqlError(400, 'the body must be JSON with a "query" string');
    }
    const variables = graphqlVariables(request.body);
    if (!variables) return graphqlError(400, '"variables" must be an object');
    const first = positiveInteger(variables.first, 20);
    if (first === undefined) return graphqlError(400, '"first" must be a positive integer');
    const after = variables.after;
    const position =
      after === undefined || after === null ? FIRST_POSITION : typeof after === 'string' ? decodeCursor('health', after) : undefined;
    if (!position) return graphqlError(400, '"after" is not a cursor this endpoint gave out');
    const records = state.data.screenings;
    const nodes = records.slice(position.offset, position.offset + Math.min(first, HEALTH_MAX_FIRST));
    const end = position.offset + nodes.length;
    return jsonOutput(200, {
      data: {
        screenings: {
          nodes,
          pageInfo: {
            endCursor: nodes.length > 0 ? encodeCursor('health', { offset: end, page: position.page + 1 }) : null,
            hasNextPage: end < records.length,
          },
        },
      },
    });
  },
};

const redcrossAeds: FeedHandler = {
  feed: 'redcross',
  agency: 'REDCROSS',
  path: '/redcross/aeds.csv',
  method: 'GET',
  format: 'csv',
  description: 'CSV: device_id,site,site_type,region_code,installed_on,trained_people',
  pageOf: () => 1,
  respond: (_request, state) => ({
    kind: 'csv',
    table: {
      header: ['device_id', 'site', 'site_type', 'region_code', 'installed_on', 'trained_people'],
      rows: state.data.aeds.map((a) => [a.deviceId, a.site, a.siteType, a.regionCode, a.installedOn, String(a.trainedPeople)]),
    },
  }),
};

const HANDLERS: readonly FeedHandler[] = [hrssLoans, civilStandards, dpfRetrofits, healthScreenings, redcrossAeds];
const handlerOf = (feed: SimFeed): FeedHandler => HANDLERS.find((handler) => handler.feed === feed)!;

/** The five feeds' full URLs and formats, for `GET /` and the command line. */
export function describeFeeds(baseUrl: string): FeedDescription[] {
  return HANDLERS.map((h) => ({ feed: h.feed, agency: h.agency, method: h.method, url: `${baseUrl}${h.path}`, format: h.description }));
}

// ---------------------------------------------------------------------------------------------------
// Rendering, with injected faults
// ---------------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
const CRLF = '\r\n'; // RFC 4180 line breaks
const BAD_GATEWAY_HTML = '<html><body><h1>502 Bad Gateway</h1></body></html>';
// what 'bad-header' renames: a column both CSV feeds have
const RENAMED_COLUMN = { from: 'region_code', to: 'area_code' };

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const csvLine = (fields: string[]): string => fields.map(csvField).join(',') + CRLF;

function renderCsv(table: CsvTable, fault?: 'malformed' | 'bad-header'): string {
  const header = fault === 'bad-header' ? table.header.map((c) => (c === RENAMED_COLUMN.from ? RENAMED_COLUMN.to : c)) : table.header;
  if (fault !== 'malformed') return csvLine(header) + table.rows.map(csvLine).join('');
  // half the rows, then a row whose first field opens a quote that never closes
  const kept = table.rows.slice(0, Math.ceil(table.rows.length / 2));
  const broken = table.rows[kept.length] ?? table.rows[0] ?? ['unterminated'];
  return csvLine(header) + kept.map(csvLine).join('') + '"' + broken.join(',') + CRLF;
}

function render(output: FeedOutput, fault?: 'malformed' | 'bad-header'): Reply {
  if (output.kind === 'csv') return { status: 200, contentType: CSV_TYPE, body: renderCsv(output.table, fault) };
  const body = JSON.stringify(output.value);
  // a truncated object never parses: its closing brace is gone
  return fault === 'malformed'
    ? { status: 200, contentType: JSON_TYPE, body: body.slice(0, Math.floor(body.length / 2)) }
    : { status: output.status, contentType: JSON_TYPE, body };
}

function failureReply(handler: FeedHandler, mode: Exclude<FailMode, 'timeout'>, normal: () => FeedOutput): Reply {
  switch (mode) {
    case '500': {
      const message = 'simulated internal server error';
      const value = handler.format === 'graphql' ? { errors: [{ message }] } : { error: message };
      return { status: 500, contentType: JSON_TYPE, body: JSON.stringify(value) };
    }
    case 'html':
      return { status: 200, contentType: 'text/html; charset=utf-8', body: BAD_GATEWAY_HTML };
    case 'malformed':
    case 'bad-header':
      return render(normal(), mode);
  }
}

// ---------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------

interface ArmedFailure {
  mode: FailMode;
  remaining: number;
  onPage?: number;
}

const BODY_LIMIT = 1024 * 1024;
const FAIL_MODES: readonly FailMode[] = ['500', 'timeout', 'malformed', 'html', 'bad-header'];

function indexLoans(loans: LoanRecord[]): LoanEntry[] {
  return loans
    .map((record) => ({ record, at: Date.parse(record.updatedAt) }))
    .sort((a, b) => a.at - b.at || (a.record.loanId < b.record.loanId ? -1 : a.record.loanId > b.record.loanId ? 1 : 0));
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= BODY_LIMIT) chunks.push(chunk);
    });
    request.on('end', () => resolve(length <= BODY_LIMIT ? Buffer.concat(chunks).toString('utf8') : undefined));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': Buffer.byteLength(reply.body), ...headers });
  response.end(reply.body);
}

const plainJson = (status: number, value: unknown): Reply => ({ status, contentType: JSON_TYPE, body: JSON.stringify(value) });

export async function startSimulator(options: { port?: number; data?: Partial<SimulatorData>; seed?: number } = {}): Promise<Simulator> {
  const state: FeedState = { data: defaultSimulatorData(options.seed), loansByUpdate: [] };
  const failures = new Map<SimFeed, ArmedFailure[]>();
  const delays = new Map<SimFeed, number>();
  const stats = new Map<SimFeed, FeedStats>(SIM_FEEDS.map((feed) => [feed, { requests: 0, inFlight: 0, maxConcurrent: 0 }]));
  const timers = new Set<NodeJS.Timeout>();

  const setData = ({ loans, standards, retrofits, screenings, aeds }: Partial<SimulatorData>): void => {
    // copies, so a caller's later edits do not change what the feeds serve
    const current = state.data;
    state.data = {
      loans: loans ? [...loans] : current.loans,
      standards: standards ? [...standards] : current.standards,
      retrofits: retrofits ? [...retrofits] : current.retrofits,
      screenings: screenings ? [...screenings] : current.screenings,
      aeds: aeds ? [...aeds] : current.aeds,
    };
    state.loansByUpdate = indexLoans(state.data.loans);
  };
  setData(options.data ?? {});

  const takeFailure = (feed: SimFeed, page: number | undefined): FailMode | undefined => {
    const armed = failures.get(feed) ?? [];
    const index = armed.findIndex((failure) => failure.onPage === undefined || failure.onPage === page);
    if (index < 0) return undefined;
    const failure = armed[index];
    failure.remaining -= 1;
    if (failure.remaining <= 0) armed.splice(index, 1);
    return failure.mode;
  };

  const serveFeed = async (handler: FeedHandler, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const counters = stats.get(handler.feed)!;
    counters.requests += 1;
    counters.inFlight += 1;
    counters.maxConcurrent = Math.max(counters.maxConcurrent, counters.inFlight);
    // 'close' also fires when the client gives up, so stalled requests leave the count too
    response.once('close', () => {
      counters.inFlight -= 1;
    });

    const body = handler.method === 'POST' && request.method === 'POST' ? await readBody(request) : '';
    if (body === undefined) return send(response, plainJson(413, { error: 'request body is over 1 MiB' }));
    const feedRequest: FeedRequest = { method: request.method ?? 'GET', url, body };

    const failure = takeFailure(handler.feed, handler.pageOf(feedRequest));
    if (failure === 'timeout') return; // hold the socket: close() or the client ends it

    let reply: Reply;
    let headers: Record<string, string> = {};
    if (failure) {
      reply = failureReply(handler, failure, () => handler.respond(feedRequest, state));
    } else if (handler.method === 'GET' && request.method !== 'GET') {
      reply = plainJson(405, { error: `${handler.path} answers GET only` });
      headers = { allow: 'GET' };
    } else {
      reply = render(handler.respond(feedRequest, state));
    }

    const delay = delays.get(handler.feed) ?? 0;
    if (delay <= 0) return send(response, reply, headers);
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(response, reply, headers);
    }, delay);
    timers.add(timer);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const handler = HANDLERS.find((h) => h.path === url.pathname);
    if (handler) {
      serveFeed(handler, request, response, url).catch(() => send(response, plainJson(500, { error: 'simulator error' })));
    } else if (url.pathname === '/' && request.method === 'GET') {
      send(response, plainJson(200, { name: 'bureau feed simulator', feeds: describeFeeds(simulatorUrl) }));
    } else {
      send(response, plainJson(404, { error: `no feed at ${url.pathname}` }));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const simulatorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;

  return {
    url: simulatorUrl,
    setData,
    fail(feed, mode, { times, onPage } = {}) {
      if (!SIM_FEEDS.includes(feed)) throw new Error(`unknown feed ${feed}`);
      if (!FAIL_MODES.includes(mode)) throw new Error(`unknown failure mode ${mode}`);
      if (mode === 'bad-header' && handlerOf(feed).format !== 'csv') throw new Error(`'bad-header' applies to CSV feeds only, not ${feed}`);
      if (times !== undefined && !(Number.isSafeInteger(times) && times >= 1)) throw new Error('times must be a positive integer');
      if (onPage !== undefined && !(Number.isSafeInteger(onPage) && onPage >= 1)) throw new Error('onPage must be a positive integer');
      const armed = failures.get(feed) ?? [];
      armed.push({ mode, remaining: times ?? Infinity, onPage });
      failures.set(feed, armed);
    },
    setDelay(feed, ms) {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new Error('the delay must be a number of milliseconds, 0 or more');
      delays.set(feed, ms);
    },
    stats: (feed) => ({ ...stats.get(feed)! }),
    reset() {
      failures.clear();
      delays.clear();
      // inFlight is a live gauge: requests still open will leave it when they end
      for (const counters of stats.values()) {
        counters.requests = 0;
        counters.maxConcurrent = counters.inFlight;
      }
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // stalled ('timeout') and delayed requests would otherwise keep close() waiting
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
