// @ts-check
// The operations the explorer opens with: read progress, push observations (a dry run: nothing is written),
// read one's tasks. Codes are the 2023 plan's (plans/shangrao-2023.yaml): 1.2 新增发放创业担保贷款 (亿元),
// 361102 信州区. Comment lines stay short: the editor is half the page wide.

/** @param {unknown} value */
const json = (value) => JSON.stringify(value, null, 2);

// GraphiQL 3 leaves the variables of the first tab out of its editor: the first example needs none
/** @typedef {{ query: string, variables?: string }} ExampleTab */

/** @type {ExampleTab} */
export const readProgress = {
  query: `# 读取进度 Read progress, as of a date:
# the plan, its projects, one row per indicator.
# 运行 Run: Ctrl-Enter or ▶. Another day: under
# Variables put {"asOf": "2023-10-31"}.
query ReadProgress(
  $planCode: String = "shangrao-2023"
  $asOf: Date = "2023-06-30"
) {
  today
  plan(code: $planCode) {
    title
    progress(asOf: $asOf) { percent expectedPercent status }
    projects {
      number
      title
      progress(asOf: $asOf) { percent status }
    }
  }
  consolidatedIndicators(planCode: $planCode, asOf: $asOf) {
    indicatorCode
    indicatorName
    unit
    target
    value
    percent
    expectedPercent
    status
  }
}
`,
};

/** @type {ExampleTab} */
export const pushObservations = {
  query: `# 报送数据 Push observations (see Variables):
# 1.2 新增发放创业担保贷款, 信州区 361102,
# 5000 万元 (kept as 0.5 亿元).
# 试运行 dryRun: true checks and counts, writes
# nothing; false writes. The same ref revises.
# AGENCY: its own projects; OFFICE: any.
mutation PushObservations(
  $input: [ObservationInput!]!
  $dryRun: Boolean
) {
  submitObservations(
    planCode: "shangrao-2023"
    input: $input
    dryRun: $dryRun
  ) {
    accepted
    created
    revised
    unchanged
    dryRun
  }
}
`,
  variables: json({
    dryRun: true,
    input: [{ indicatorCode: '1.2', regionCode: '361102', date: '2023-06-30', value: '5000', unit: '万元', ref: 'EXAMPLE-1' }],
  }),
};

/** @type {ExampleTab} */
export const myTasks = {
  query: `# 我的待办 My tasks: who the token is,
# the reporting rounds, unread notifications.
query MyTasks {
  me {
    role
    label
    agency { code name leads { number title } }
  }
  reportingRounds {
    dueOn
    deadline
    submissions {
      agency { code }
      project { number }
      submittedAt
      onTime
    }
  }
  notifications(first: 10, unreadOnly: true) {
    edges { node { kind title body scheduledFor } }
  }
}
`,
};

export const exampleTabs = [readProgress, pushObservations, myTasks];

/** A new tab opens with this. */
export const newTabQuery = `# 新标签页 New tab. 运行 Run: Ctrl-Enter or ▶.
{
  today
  me { role label }
}
`;
