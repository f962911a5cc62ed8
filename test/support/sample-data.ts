/**
 * Observations whose figures the tests work out by hand (see test/progress.test.ts for the arithmetic).
 * The hub clock of the tests that use them stands at 2023-07-01.
 *
 * Every item names its reporting unit (DESIGN.md 4.1: regionCode is required, at the indicator's level):
 * 361100 is 市本级; amounts delivered in counties (loans, AEDs, …) carry county or zone codes; 1.1 (guarantee
 * fund, BOTH) and 9.1 (CITY) are the city's own. The whole-city (全市) figures are those of the earlier
 * samples without a unit: each of those items went to a single unit, so every 全市 sum is unchanged.
 */
export const obs = (indicatorCode: string, date: string, value: string, ref: string, extra: Record<string, string> = {}) => ({
  indicatorCode,
  date,
  value,
  ref,
  ...extra,
});

// Loans (1.2), of which personal (1.3), sent in three units; all 亿元 in the plan:
//   L1 2023-02-10 信州区 5000 万元 = 0.5 亿元, personal
//   L2 2023-03-15 广丰区 1.25 亿元
//   L3 2023-05-20 信州区 250000000 元 = 2.5 亿元, personal
//   L4 2023-06-30 广信区 30000 万元 = 3 亿元, of which 2 亿元 personal (sent later in the test)
export const loans = [
  obs('1.2', '2023-02-10', '5000', 'L1', { unit: '万元', regionCode: '361102' }),
  obs('1.3', '2023-02-10', '5000', 'L1', { unit: '万元', regionCode: '361102' }),
  obs('1.2', '2023-03-15', '1.25', 'L2', { unit: '亿元', regionCode: '361103' }),
  obs('1.2', '2023-05-20', '250000000', 'L3', { unit: '元', regionCode: '361102' }),
  obs('1.3', '2023-05-20', '250000000', 'L3', { unit: '元', regionCode: '361102' }),
  // due amounts (1.4) and recoveries (1.5): a zero first, so 1.7 has a zero denominator in March
  obs('1.4', '2023-03-01', '0', 'D0', { regionCode: '361103' }),
  obs('1.5', '2023-03-01', '0', 'D0', { regionCode: '361103' }),
  obs('1.4', '2023-05-10', '0.8', 'D1', { regionCode: '361102' }),
  obs('1.5', '2023-06-15', '7800', 'D1', { unit: '万元', regionCode: '361102' }),
  // the city's own guarantee fund: 市本级
  obs('1.1', '2023-04-15', '800', 'F1', { regionCode: '361100' }),
];
export const laterLoan = [
  obs('1.2', '2023-06-30', '30000', 'L4', { unit: '万元', regionCode: '361104' }),
  obs('1.3', '2023-06-30', '2', 'L4', { regionCode: '361104' }),
];

// 2.1 urban 低保 (825 → 885): 信州区 reaches 885 in March; 广丰区 855 in March, 885 in June
export const civilStandards = [
  obs('2.1', '2023-03-01', '885', 'S-361102-03', { regionCode: '361102' }),
  obs('2.1', '2023-03-01', '855', 'S-361103-03', { regionCode: '361103' }),
  obs('2.1', '2023-06-01', '885', 'S-361103-06', { regionCode: '361103' }),
];

// 9.1 milestone 30/30/40 (reported by 市本级 only): liaison done in February, preparation in June
export const ndrcStages = [
  obs('9.1', '2023-02-01', '1', 'M1', { stageCode: 'liaison', regionCode: '361100' }),
  obs('9.1', '2023-06-01', '1', 'M2', { stageCode: 'preparation', regionCode: '361100' }),
];

// 10.1 AEDs (target 86, counties and zones only): 43 by June, all in 信州区;
// 10.2 people trained (TRACKED): 120 by the city's Red Cross (市本级) + 80 in 信州区 = 200
export const redcrossAeds = [
  obs('10.1', '2023-06-01', '43', 'A1', { regionCode: '361102' }),
  obs('10.2', '2023-05-01', '120', 'T1', { regionCode: '361100' }),
  obs('10.2', '2023-06-10', '80', 'T2', { regionCode: '361102' }),
];

// ---------------------------------------------------------------------------------------------
// Region figures for the dashboard test (test/dashboard.browser.test.ts), hub clock at 2023-07-01
// (expected 182/365 = 49.86 %).

/**
 * An illustrative decomposition of 10.1 (86 AEDs) over the 12 counties and 3 zones, for a plan overlay
 * (`regionTargets` of projects[9].indicators[0]): 8+7+7+7+6+5+5+7+9+6+6+5 = 78 in the counties,
 * 4+2+2 = 8 in the zones, 86 in all.
 */
export const aedRegionTargets: Record<string, string> = {
  '361102': '8',
  '361103': '7',
  '361104': '7',
  '361123': '7',
  '361124': '6',
  '361125': '5',
  '361126': '5',
  '361127': '7',
  '361128': '9',
  '361129': '6',
  '361130': '6',
  '361181': '5',
  'SR-ETDZ': '4',
  'SR-SQS': '2',
  'SR-HSR': '2',
};

// 10.1 AEDs by county, 8+7+5+3+3+3+4+2+3+5 = 43 by June (全市 43 / 86 = 50 %). Against the targets above:
//   信州区 8/8 = 100 % ACHIEVED, 广丰区 7/7 = 100 % ACHIEVED, 广信区 5/7 = 71.43 % ON_TRACK,
//   玉山县 3/7 = 42.86 % (7.00 points behind 49.86) LAGGING, 铅山县 3/6 = 50 % ON_TRACK,
//   横峰县 3/5 = 60 % ON_TRACK, 余干县 4/7 = 57.14 % ON_TRACK, 鄱阳县 2/9 = 22.22 % BEHIND,
//   万年县 3/6 = 50 % ON_TRACK, 婺源县 5/6 = 83.33 % ON_TRACK; 弋阳县, 德兴市 and the zones: NO_DATA
export const aedsByCounty = [
  obs('10.1', '2023-03-10', '8', 'AC-361102', { regionCode: '361102' }),
  obs('10.1', '2023-04-12', '7', 'AC-361103', { regionCode: '361103' }),
  obs('10.1', '2023-05-08', '5', 'AC-361104', { regionCode: '361104' }),
  obs('10.1', '2023-05-20', '3', 'AC-361123', { regionCode: '361123' }),
  obs('10.1', '2023-06-01', '3', 'AC-361124', { regionCode: '361124' }),
  obs('10.1', '2023-06-02', '3', 'AC-361125', { regionCode: '361125' }),
  obs('10.1', '2023-06-05', '4', 'AC-361127', { regionCode: '361127' }),
  obs('10.1', '2023-06-09', '2', 'AC-361128', { regionCode: '361128' }),
  obs('10.1', '2023-06-15', '3', 'AC-361129', { regionCode: '361129' }),
  obs('10.1', '2023-06-28', '5', 'AC-361130', { regionCode: '361130' }),
];

// 5.5 home adaptations for the elderly (target 2000, not decomposed): 信州区 300 + 广丰区 200 = 500
//   → 25 %; 信州区 is 60 % of the 全市 value, 广丰区 40 %, neither scored
export const homeAdaptations = [
  obs('5.5', '2023-05-20', '300', 'H-361102', { regionCode: '361102' }),
  obs('5.5', '2023-06-20', '200', 'H-361103', { regionCode: '361103' }),
];

// 7.1 free HPV vaccinations (TRACKED): 信州区 1200 + 鄱阳县 2300 = 3500 girls; 鄱阳县 2300 / 3500 = 65.71 %
export const hpvVaccinations = [
  obs('7.1', '2023-05-15', '1200', 'V-361102', { regionCode: '361102' }),
  obs('7.1', '2023-06-10', '2300', 'V-361128', { regionCode: '361128' }),
];

/** Submits every sample batch with the agencies that own them. */
export async function submitSampleData(t: {
  token(role: 'AGENCY', agency: string): Promise<string>;
  gql(token: string, query: string, variables?: Record<string, unknown>): Promise<{ errors?: unknown[] }>;
}) {
  const submit = 'mutation ($input: [ObservationInput!]!) { submitObservations(input: $input) { accepted } }';
  const batches: [string, unknown[]][] = [
    ['HRSS', [...loans, ...laterLoan]],
    ['CIVIL', civilStandards],
    ['NDRC', ndrcStages],
    ['REDCROSS', redcrossAeds],
  ];
  for (const [agency, input] of batches) {
    const response = await t.gql(await t.token('AGENCY', agency), submit, { input });
    if (response.errors) throw new Error(`sample data refused: ${JSON.stringify(response.errors)}`);
  }
}
