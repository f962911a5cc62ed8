// @ts-check
// The GraphQL documents the dashboard sends, and the shape of their answers. No DOM here: the schema
// drift test (test/schema-drift.test.ts) imports this module in Node and validates every document
// against schema/schema.graphql.

/** @typedef {import('./status.js').Status} Status */
/** @typedef {'OFFICE' | 'BI' | 'AGENCY'} Role */
/** @typedef {'TARGET' | 'THRESHOLD' | 'LEVEL' | 'MILESTONE' | 'TRACKED'} IndicatorKind */
/** @typedef {'REGIONS' | 'CITY' | 'BOTH'} ReportingLevel */
/** @typedef {{ code: string, name: string }} AgencyRef */
/** @typedef {{ code: string, name: string, level: string }} Region */
/**
 * A roll-up (the plan, a project): percent is null when not scored or without data.
 * @typedef {{
 *   percent: number | null,
 *   expectedPercent: number,
 *   status: Status,
 *   partsWithData: number | null,
 *   parts: number | null,
 * }} RollUp
 */

/**
 * The answer to ME_QUERY.
 * @typedef {{ today: string, me: { role: Role, label: string, agency: AgencyRef | null } }} MeData
 */

/** Who the token belongs to, and the hub's today: the login check. */
export const ME_QUERY = /* GraphQL */ `
  {
    today
    me {
      role
      label
      agency {
        code
        name
      }
    }
  }
`;

/**
 * @typedef {{
 *   agency: AgencyRef,
 *   project: { number: number, title: string },
 *   submittedAt: string | null,
 *   onTime: boolean | null,
 * }} RoundSubmission
 * @typedef {{ id: string, title: string, dueOn: string, deadline: string, submissions: RoundSubmission[] }} ReportingRound
 * @typedef {{ number: number, title: string, leadAgencies: AgencyRef[], progress: RollUp }} ProjectSummary
 * @typedef {{
 *   code: string,
 *   title: string,
 *   documentNumber: string,
 *   periodStart: string,
 *   periodEnd: string,
 *   timeZone: string,
 *   progress: RollUp,
 *   regions: Region[],
 *   projects: ProjectSummary[],
 *   reportingRounds: ReportingRound[],
 * }} Plan
 * @typedef {{ today: string, plan: Plan | null }} OverviewData the answer to OVERVIEW_QUERY
 */

/** One request for everything but the opened project. */
export const OVERVIEW_QUERY = /* GraphQL */ `
  query Overview($asOf: Date) {
    today
    plan {
      code
      title
      documentNumber
      periodStart
      periodEnd
      timeZone
      progress(asOf: $asOf) {
        percent
        expectedPercent
        status
        partsWithData
        parts
      }
      regions {
        code
        name
        level
      }
      projects {
        number
        title
        leadAgencies {
          code
          name
        }
        progress(asOf: $asOf) {
          percent
          expectedPercent
          status
          partsWithData
          parts
        }
      }
      reportingRounds {
        id
        title
        dueOn
        deadline
        submissions {
          agency {
            code
            name
          }
          project {
            number
            title
          }
          submittedAt
          onTime
        }
      }
    }
  }
`;

/**
 * An indicator's own figure (全市), or one unit's: value is null without data.
 * @typedef {{ value: string | null, percent: number | null, expectedPercent: number, status: Status, lastObservedOn: string | null }} IndicatorFigure
 * @typedef {{ value: string | null, percent: number | null, shareOfCity: number | null, status: Status }} UnitFigure
 * @typedef {{
 *   code: string,
 *   name: string,
 *   unit: string,
 *   kind: IndicatorKind,
 *   target: string | null,
 *   baseline: string | null,
 *   direction: 'AT_LEAST' | 'AT_MOST',
 *   reportedBy: ReportingLevel,
 *   regionTargets: { regionCode: string, target: string }[],
 *   stages: { code: string }[],
 *   progress: IndicatorFigure,
 *   series: { date: string, value: string }[],
 *   byRegion: { region: Region, progress: UnitFigure }[],
 * }} Indicator
 * @typedef {{
 *   number: number,
 *   title: string,
 *   summary: string,
 *   leadAgencies: AgencyRef[],
 *   responsibleAgencies: AgencyRef[],
 *   progress: RollUp,
 *   indicators: Indicator[],
 * }} ProjectDetail
 * @typedef {{ project: ProjectDetail | null }} ProjectData the answer to PROJECT_QUERY
 */

/** One request per opened project. */
export const PROJECT_QUERY = /* GraphQL */ `
  query Project($number: Int!, $planCode: String, $asOf: Date) {
    project(number: $number, planCode: $planCode) {
      number
      title
      summary
      leadAgencies {
        code
        name
      }
      responsibleAgencies {
        code
        name
      }
      progress(asOf: $asOf) {
        percent
        expectedPercent
        status
        partsWithData
        parts
      }
      indicators {
        code
        name
        unit
        kind
        target
        baseline
        direction
        reportedBy
        regionTargets {
          regionCode
          target
        }
        stages {
          code
        }
        progress(asOf: $asOf) {
          value
          percent
          expectedPercent
          status
          lastObservedOn
        }
        series(to: $asOf) {
          date
          value
        }
        byRegion(asOf: $asOf) {
          region {
            code
            name
            level
          }
          progress {
            value
            percent
            shareOfCity
            status
          }
        }
      }
    }
  }
`;
