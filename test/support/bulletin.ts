import { expect } from 'vitest';
import { startTestHub, type TestHub } from './hub.js';
import { submitSampleData } from './sample-data.js';

// What the bulletin tests (PDF and Word) share: the six section titles, and one hub with one story.

export const bulletinSections = [
  '一、总体进展',
  '二、十件实事进展',
  '三、进度滞后的项目',
  '四、牵头单位进度排名',
  '五、县（市、区）排名',
  '六、报送情况',
];

const report = /* GraphQL */ `
  mutation ($input: ProgressReportInput!) {
    submitProgressReport(input: $input) {
      onTime
    }
  }
`;

/**
 * A hub at 2023-07-01 with the sample data, where round one (due 2023-06-28) was reported on by
 * REDCROSS (project 10) on 20 June, in time, and by HRSS (project 1) on 1 July, late.
 */
export async function bulletinHub(): Promise<{ t: TestHub; office: string }> {
  const t = await startTestHub({ now: '2023-06-20T10:00:00+08:00' });
  const [office, hrss, redcross] = await Promise.all([t.token('OFFICE'), t.token('AGENCY', 'HRSS'), t.token('AGENCY', 'REDCROSS')]);
  const rounds = (await t.gql(office, '{ reportingRounds { id dueOn } }')).data!.reportingRounds as { id: string; dueOn: string }[];
  const first = rounds.find((r) => r.dueOn === '2023-06-28')!.id;
  expect((await t.gql(redcross, report, { input: { roundId: first, projectNumber: 10, text: 'AED已配备43台。' } })).errors).toBeUndefined();
  t.clock.set('2023-07-01T10:00:00+08:00');
  expect(
    (await t.gql(hrss, report, { input: { roundId: first, projectNumber: 1, text: '新增发放创业担保贷款7.25亿元。' } })).errors,
  ).toBeUndefined();
  await submitSampleData(t);
  return { t, office };
}

/** The text between one section title and the next (or the end). */
export const sectionOf = (flat: string, title: string) => {
  const start = flat.indexOf(title);
  const next = bulletinSections.map((s) => flat.indexOf(s, start + title.length)).filter((i) => i > start);
  return flat.slice(start, next.length ? Math.min(...next) : undefined);
};

/**
 * 一、总体进展 as of 2023-07-01 for bulletinHub's data, in either rendering (PDF or Word), worked by hand:
 * expected 182/365 = 49.8630… → 49.86 %;
 *   project 1: 1.1 800/800 = 100; 1.2 (0.5 + 1.25 + 2.5 + 3)/19.5 = 37.179487…; 1.6 (0.5 + 2.5 + 2)/7.25
 *     = 68.97 % of a 50 % bound, capped 100; 1.7 0.78/0.8 = 97.5 % of 95 %, capped 100 → 84.294871…
 *   project 2: 2.1 reaches 885 in both counties = 100, seven standards unreported: 100/8 = 12.5
 *   project 9: stages liaison 30 + preparation 30 = 60; project 10: 43/86 = 50
 *   projects 3, 4, 5, 6, 8: no data, 0; project 7 (HPV) only TRACKED: left out
 * plan: (84.294871… + 12.5 + 60 + 50)/9 = 206.794871…/9 = 22.977207… → 22.98 %, 4 of 9 with data,
 * 49.86 − 22.98 = 26.88 points behind: 严重滞后.
 */
export function expectOverviewOf(flat: string): void {
  const overview = sectionOf(flat, '一、总体进展');
  expect(overview).toContain('十件民生实事总体完成22.98%');
  expect(overview).toContain('全年时间已过49.86%（序时进度）');
  expect(overview).toContain('纳入评价的9个项目中4个有数据');
  expect(overview).toContain('落后序时进度26.88个百分点');
  expect(overview).toContain('7号项目仅设跟踪指标，不评价');
}
