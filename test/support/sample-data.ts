/**
 * Observations whose figures the tests work out by hand (see test/progress.test.ts for the arithmetic).
 * The hub clock of the tests that use them stands at 2023-07-01.
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
  obs('1.1', '2023-04-15', '800', 'F1'),
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

// 9.1 milestone 30/30/40: liaison done in February, preparation in June
export const ndrcStages = [
  obs('9.1', '2023-02-01', '1', 'M1', { stageCode: 'liaison' }),
  obs('9.1', '2023-06-01', '1', 'M2', { stageCode: 'preparation' }),
];

// 10.1 AEDs (target 86): 43 by June; 10.2 people trained (TRACKED): 120 + 80
export const redcrossAeds = [
  obs('10.1', '2023-06-01', '43', 'A1'),
  obs('10.2', '2023-05-01', '120', 'T1'),
  obs('10.2', '2023-06-10', '80', 'T2'),
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
