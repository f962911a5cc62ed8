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
 * @typedef {{ today: string, me: { role: Role, label: string, userName: string | null, agency: AgencyRef | null } }} MeData
 */

/** Who the token or session belongs to, and the hub's today: the login check. */
export const ME_QUERY = /* GraphQL */ `
  {
    today
    me {
      role
      label
      userName
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

// fragments the overview and the 大屏 share (not exported: alone they are no document)
const PLAN_HEAD = /* GraphQL */ `
  fragment PlanHead on Plan {
    code
    title
    documentNumber
    periodStart
    periodEnd
    timeZone
    regions {
      code
      name
      level
    }
  }
`;
/** a percent is never shown without its expected percent, status and n/m parts with data */
const FIGURE = /* GraphQL */ `
  fragment Figure on Progress {
    percent
    expectedPercent
    status
    partsWithData
    parts
  }
`;
/** a unit's figure: value, percent, 占全市 share and status (null value: no data) */
const UNIT_ROW = /* GraphQL */ `
  fragment UnitRow on RegionProgress {
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
`;
const ROUND_SUBMISSIONS = /* GraphQL */ `
  fragment RoundSubmissions on ReportingRound {
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
`;

/** One request for everything but the opened project. */
export const OVERVIEW_QUERY = /* GraphQL */ `
  query Overview($asOf: Date) {
    today
    plan {
      ...PlanHead
      progress(asOf: $asOf) {
        ...Figure
      }
      projects {
        number
        title
        leadAgencies {
          code
          name
        }
        progress(asOf: $asOf) {
          ...Figure
        }
      }
      reportingRounds {
        ...RoundSubmissions
      }
    }
  }
  ${PLAN_HEAD}
  ${FIGURE}
  ${ROUND_SUBMISSIONS}
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
          ...UnitRow
        }
      }
    }
  }
  ${UNIT_ROW}
`;

/**
 * A pull of a feed: accepted records were written, rejected ones quarantined.
 * @typedef {'QUEUED' | 'RUNNING' | 'RETRYING' | 'SUCCEEDED' | 'FAILED'} FeedRunStatus
 * @typedef {{
 *   id: string,
 *   trigger: 'SCHEDULE' | 'MANUAL',
 *   status: FeedRunStatus,
 *   attempts: number,
 *   startedAt: string,
 *   finishedAt: string | null,
 *   fetched: number,
 *   accepted: number,
 *   rejected: number,
 *   error: string | null,
 * }} FeedRun
 * @typedef {{ page: number, recordIndex: number, ref: string | null, field: string | null, reason: string, raw: Record<string, unknown> }} FeedRejection
 * @typedef {{
 *   id: string,
 *   name: string,
 *   planCode: string,
 *   url: string,
 *   format: 'JSON' | 'CSV' | 'GRAPHQL',
 *   schedule: string,
 *   timeZone: string,
 *   enabled: boolean,
 *   agency: AgencyRef,
 *   lastRun: FeedRun | null,
 * }} Feed
 * @typedef {{ feeds: Feed[] }} FeedsData the answer to FEEDS_QUERY
 * @typedef {{ feedRuns: { edges: { node: FeedRun }[] } }} FeedRunsData the answer to FEED_RUNS_QUERY
 * @typedef {{ feedRun: FeedRun & { rejections?: FeedRejection[] } }} FeedRunData the answer to FEED_RUN_QUERY
 * @typedef {{ runFeed: FeedRun }} RunFeedData the answer to RUN_FEED_MUTATION
 */

// a fragment each feed document repeats (not exported: alone it is no document)
const FEED_RUN_FIELDS = /* GraphQL */ `
  fragment FeedRunFields on FeedRun {
    id
    trigger
    status
    attempts
    startedAt
    finishedAt
    fetched
    accepted
    rejected
    error
  }
`;

/** The feeds page (OFFICE): every feed with its last run. */
export const FEEDS_QUERY = /* GraphQL */ `
  query Feeds {
    feeds {
      id
      name
      planCode
      url
      format
      schedule
      timeZone
      enabled
      agency {
        code
        name
      }
      lastRun {
        ...FeedRunFields
      }
    }
  }
  ${FEED_RUN_FIELDS}
`;

/** A feed's last ten runs, newest first: the details pane. */
export const FEED_RUNS_QUERY = /* GraphQL */ `
  query FeedRuns($feedId: ID!) {
    feedRuns(feedId: $feedId, first: 10) {
      edges {
        node {
          ...FeedRunFields
        }
      }
    }
  }
  ${FEED_RUN_FIELDS}
`;

/** One run: the run Run now is following, or (withRejections) the one picked in the details pane. */
export const FEED_RUN_QUERY = /* GraphQL */ `
  query FeedRun($id: ID!, $withRejections: Boolean!) {
    feedRun(id: $id) {
      ...FeedRunFields
      rejections @include(if: $withRejections) {
        page
        recordIndex
        ref
        field
        reason
        raw
      }
    }
  }
  ${FEED_RUN_FIELDS}
`;

/** Run now: queues a pull and answers its run (QUEUED). */
export const RUN_FEED_MUTATION = /* GraphQL */ `
  mutation RunFeed($id: ID!) {
    runFeed(id: $id) {
      ...FeedRunFields
    }
  }
  ${FEED_RUN_FIELDS}
`;

/**
 * The 大屏 (screen.html): the plan, its projects with their indicators' 全市 figures, and the rounds.
 * @typedef {{ value: string | null, percent: number | null, status: Status, lastObservedOn: string | null }} ScreenFigure
 * @typedef {{
 *   code: string,
 *   name: string,
 *   unit: string,
 *   kind: IndicatorKind,
 *   reportedBy: ReportingLevel,
 *   regionTargets: { regionCode: string }[],
 *   progress: ScreenFigure,
 * }} ScreenIndicator
 * @typedef {ProjectSummary & { indicators: ScreenIndicator[] }} ScreenProject
 * @typedef {Omit<Plan, 'projects'> & { projects: ScreenProject[] }} ScreenPlan
 * @typedef {{ today: string, plan: ScreenPlan | null }} ScreenData the answer to SCREEN_QUERY
 */

/** Everything the 大屏 shows but the tile map, as of the hub's today: read again after each change. */
export const SCREEN_QUERY = /* GraphQL */ `
  query Screen {
    today
    plan {
      ...PlanHead
      progress {
        ...Figure
      }
      projects {
        number
        title
        leadAgencies {
          code
          name
        }
        progress {
          ...Figure
        }
        indicators {
          code
          name
          unit
          kind
          reportedBy
          regionTargets {
            regionCode
          }
          progress {
            value
            percent
            status
            lastObservedOn
          }
        }
      }
      reportingRounds {
        ...RoundSubmissions
      }
    }
  }
  ${PLAN_HEAD}
  ${FIGURE}
  ${ROUND_SUBMISSIONS}
`;

/**
 * @typedef {{ indicator: { code: string, byRegion: { region: Region, progress: UnitFigure }[] } | null }} ScreenRegionsData
 * the answer to SCREEN_REGIONS_QUERY
 */

/** The 大屏's tile map: one indicator in every reporting unit, as of the hub's today. */
export const SCREEN_REGIONS_QUERY = /* GraphQL */ `
  query ScreenRegions($code: String!, $planCode: String) {
    indicator(code: $code, planCode: $planCode) {
      code
      byRegion {
        ...UnitRow
      }
    }
  }
  ${UNIT_ROW}
`;

/**
 * @typedef {{ planCode: string, indicatorCodes: string[], regionCodes: string[], dataVersion: string, at: string }} ProgressChange
 * one message of PROGRESS_CHANGED_SUBSCRIPTION
 */

/** The 大屏's live feed (over WebSocket): a message after each committed write that moves the plan's figures. */
export const PROGRESS_CHANGED_SUBSCRIPTION = /* GraphQL */ `
  subscription ProgressChanged($planCode: String) {
    progressChanged(planCode: $planCode) {
      planCode
      indicatorCodes
      regionCodes
      dataVersion
      at
    }
  }
`;
