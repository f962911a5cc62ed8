import type { Mapping } from '../../src/feeds/feeds.config.js';
import type { FeedSpecInput } from '../../src/feeds/feeds.service.js';

/**
 * HRSS's loan ledger → new loans, personal loans, due and recovered amounts, interest waived (README).
 * Every loan names the unit that lent it: a county, a zone, or 361100 for the city's guarantee centre
 * (市本级, legal for 1.2–1.5 and 1.8); a code the plan does not know is quarantined, not defaulted.
 */
export const loanMapping: Mapping = {
  region: { field: 'countyCode' },
  date: { field: 'issuedOn' },
  ref: { field: 'loanId' },
  rules: [
    { indicator: '1.2', value: 'amountYuan', unit: '元' },
    { indicator: '1.3', value: 'amountYuan', unit: '元', when: { field: 'borrowerType', equals: 'PERSONAL' } },
    { indicator: '1.4', value: 'amountYuan', unit: '元', date: 'dueOn', when: { field: 'dueOn', present: true } },
    { indicator: '1.5', value: 'repaidAmountYuan', unit: '元', date: 'repaidOn', when: { field: 'repaidOn', present: true } },
    { indicator: '1.8', value: 'interestWaivedYuan', unit: '元', when: { field: 'borrowerType', equals: 'PERSONAL' } },
  ],
};

/**
 * The five bureau feeds of the simulator, as the office would register them, against a simulator at
 * `base`. Each record carries its county or zone code; none falls back to the city.
 */
export function simulatorFeeds(base: string): FeedSpecInput[] {
  const standards: [string, string][] = [
    ['urban_dibao', '2.1'],
    ['urban_dibao_subsidy', '2.2'],
    ['rural_dibao', '2.3'],
    ['rural_dibao_subsidy', '2.4'],
    ['tekun_care', '2.5'],
    ['tekun_self', '2.6'],
  ];
  return [
    {
      agencyCode: 'HRSS',
      name: '人社局创业担保贷款台账',
      url: `${base}/hrss/loans`,
      format: 'JSON',
      recordsPath: 'items',
      schedule: '0 2 * * *',
      pagination: { type: 'PAGE', pageParam: 'page', sizeParam: 'size', pageSize: 500 },
      incremental: { param: 'since', field: 'updatedAt' },
      mapping: loanMapping,
    },
    {
      agencyCode: 'CIVIL',
      name: '民政局低保特困标准',
      url: `${base}/civil/standards.csv`,
      format: 'CSV',
      schedule: '30 2 * * *',
      mapping: {
        region: { field: 'region_code' },
        date: { field: 'effective_date' },
        ref: { field: 'record_id' },
        rules: standards.map(([standard, indicator]) => ({
          indicator,
          value: 'amount_yuan',
          when: { field: 'standard', equals: standard },
        })),
      },
    },
    {
      agencyCode: 'DPF',
      name: '残联无障碍改造',
      url: `${base}/dpf/retrofits`,
      format: 'JSON',
      recordsPath: 'data',
      schedule: '0 3 * * *',
      pagination: { type: 'CURSOR', cursorParam: 'cursor', cursorPath: 'nextCursor' },
      mapping: {
        region: { field: 'countyCode' },
        date: { field: 'completedOn' },
        ref: { field: 'id' },
        rules: [{ indicator: '3.4', value: 'households' }],
      },
    },
    {
      agencyCode: 'HEALTH',
      name: '卫健委出生缺陷筛查',
      url: `${base}/health/graphql`,
      format: 'GRAPHQL',
      graphqlQuery:
        'query ($first: Int, $after: String) { screenings(first: $first, after: $after) { nodes { id regionCode month prenatalScreenings newbornScreenings } pageInfo { endCursor hasNextPage } } }',
      graphqlVariables: { first: 100 },
      recordsPath: 'data.screenings.nodes',
      schedule: '0 4 * * *',
      pagination: {
        type: 'CURSOR',
        cursorParam: 'after',
        cursorPath: 'data.screenings.pageInfo.endCursor',
        hasMorePath: 'data.screenings.pageInfo.hasNextPage',
      },
      mapping: {
        region: { field: 'regionCode' },
        date: { field: 'month' },
        ref: { field: 'id' },
        rules: [
          { indicator: '8.2', value: 'prenatalScreenings', refSuffix: '/prenatal' },
          { indicator: '8.2', value: 'newbornScreenings', refSuffix: '/newborn' },
        ],
      },
    },
    {
      agencyCode: 'REDCROSS',
      name: '红十字会AED投放',
      url: `${base}/redcross/aeds.csv`,
      format: 'CSV',
      schedule: '0 5 * * *',
      mapping: {
        region: { field: 'region_code' },
        date: { field: 'installed_on' },
        ref: { field: 'device_id' },
        rules: [
          { indicator: '10.1', constant: '1' },
          { indicator: '10.2', value: 'trained_people' },
        ],
      },
    },
  ];
}
