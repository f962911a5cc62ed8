import type { Bulletin, BulletinLatePair, BulletinProject, BulletinRound, BulletinUnit } from './bulletin.js';
import { pointsFromExpected } from './bulletin.js';
import { statusLabels, statuses } from './status.js';

/**
 * The words of the bulletin (进展通报): titles, sentences, column heads and footnotes. Both renderers
 * read them (bulletin-html.ts prints the PDF, bulletin-docx.ts writes the Word file), so the PDF and
 * the document the office edits never say different things.
 */

export const bulletinTitle = '民生实事进展通报';

const digits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** 1–99 in Chinese numerals: 十件实事, 第二十一条 */
export function chineseNumber(n: number): string {
  if (n < 10) return digits[n];
  const tens = Math.floor(n / 10);
  return `${tens === 1 ? '' : digits[tens]}十${n % 10 === 0 ? '' : digits[n % 10]}`;
}

/** 2023-07-01 → 2023年7月1日 */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** a percent as every table shows it; a dash for no percent (NO_DATA, NOT_SCORED) */
export const percentText = (percent: number | null): string => (percent === null ? '—' : `${percent.toFixed(2)}%`);

/** a full-width space (U+3000) between the parts of the line under the title, as the 台账 has */
const wide = '\u3000';

/** The line under the title: the plan, its document number and the as-of date. */
export const subtitle = (b: Bulletin): string => `${b.planTitle}（${b.documentNumber}）${wide}数据截至${chineseDate(b.asOf)}`;

export const sectionTitles = (b: Bulletin) => ({
  overview: '一、总体进展',
  projects: `二、${chineseNumber(b.projects.length)}件实事进展`,
  behind: '三、进度滞后的项目',
  agencies: '四、牵头单位进度排名',
  units: '五、县（市、区）排名',
  rounds: '六、报送情况',
});

/** the footer's page numbers, around the current page and the page count: 第 1 页，共 3 页 */
export const pageNumberText = ['第 ', ' 页，共 ', ' 页'] as const;
export const asOfFooter = (b: Bulletin): string => `数据截至 ${b.asOf}`;

// 一、总体进展

/** the four figures in the boxes at its head */
export const overviewLabels = { percent: '总体完成率', expected: '序时进度', status: '状态', withData: '有数据的评价项目' } as const;

/** The paragraph that states the plan's percent against 序时进度 and which projects have data. */
export function overviewText(b: Bulletin): string {
  const o = b.overall;
  const unscored = b.projects.filter((p) => p.status === 'NOT_SCORED');
  const noData = b.projects.filter((p) => p.status === 'NO_DATA');
  const standing =
    o.percent === null
      ? '尚无项目报送数据'
      : `总体完成 ${percentText(o.percent)}，${
          o.status === 'ACHIEVED'
            ? '全部评价项目已完成'
            : o.percent >= o.expectedPercent
              ? `快于序时进度 ${pointsFromExpected(o)} 个百分点`
              : `落后序时进度 ${pointsFromExpected(o)} 个百分点`
        }`;
  return (
    `截至${chineseDate(b.asOf)}，全年时间已过 ${percentText(o.expectedPercent)}（序时进度），` +
    `${chineseNumber(b.projects.length)}件民生实事${standing}，状态为“${statusLabels[o.status].zh}”。` +
    `纳入评价的 ${o.parts} 个项目中 ${o.withData} 个有数据` +
    (noData.length > 0 ? `，${noData.map((p) => p.number).join('、')} 号项目无数据，按 0 计入` : '') +
    (unscored.length > 0 ? `；${unscored.map((p) => p.number).join('、')} 号项目仅设跟踪指标，不评价，不计入总体` : '') +
    '。'
  );
}

/** 各项目状态：正常推进 2 项，… */
export function statusCountsText(b: Bulletin): string {
  const counts = statuses
    .map((s) => [s, b.projects.filter((p) => p.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${statusLabels[s].zh} ${n} 项`)
    .join('，');
  return `各项目状态：${counts}。`;
}

// 二、十件实事进展

/** the columns of the projects' table (the Word file; the PDF draws them as bars) */
export const projectColumns = ['序号', '项目', '完成率', '序时进度', '进度', '状态', '有数据指标'] as const;

/** What stands in place of a bar for a project without a percent: never a 0 bar. */
export const barNote = (p: BulletinProject): string =>
  p.status === 'NOT_SCORED' ? '不评价：仅设跟踪指标，不计入总体' : `无数据：${p.withData}/${p.parts} 项指标有数据，按 0 计入总体`;

/** n/m: the scored parts with data, of all the scored parts */
export const withDataText = (figure: { withData: number; parts: number }): string =>
  figure.parts > 0 ? `${figure.withData}/${figure.parts}` : '—';

// 三、进度滞后的项目

export const behindProjects = (b: Bulletin): BulletinProject[] => b.projects.filter((p) => p.status === 'LAGGING' || p.status === 'BEHIND');

export const noneBehindText = (b: Bulletin): string => `截至${chineseDate(b.asOf)}，没有进度滞后的项目。`;

export const behindText = (b: Bulletin, count: number): string =>
  `截至${chineseDate(b.asOf)}，${count} 个项目进度滞后（${statusLabels.LAGGING.zh}：落后序时进度不超过 10 个百分点；` +
  `${statusLabels.BEHIND.zh}：超过 10 个百分点）。`;

export const behindColumns = ['序号', '项目', '牵头单位', '完成率', '序时进度', '落后（百分点）', '状态', '最近进展报送'] as const;

export const notReported = '未报送';

/** The projects without data, with their lead agencies and latest report, after the table. */
export const noDataText = (noData: BulletinProject[]): string =>
  `另有 ${noData.length} 个项目尚无数据（按 0 计入总体）：` +
  noData.map((p) => `${p.number}. ${p.title}（${p.leads.join('、')}，最近进展报送：${p.lastReportedOn ?? notReported}）`).join('；') +
  '。';

// 四、牵头单位进度排名

export const agencyColumns = ['名次', '牵头单位', '牵头项目', '完成率', '有数据项目', '状态'] as const;

// 五、县（市、区）排名

export const noUnitsText = '本计划未分解到县（市、区）的指标，不排名。';

export const decomposedText = (b: Bulletin): string =>
  `分解到县（市、区）的指标：${b.decomposed.map((d) => `${d.code} ${d.name}（${d.unit}）`).join('；')}。`;

export const unitColumns = ['名次', '县（市、区）', '完成/分解任务', '完成率', '状态'] as const;

/** a unit's own targets: 10.1：8/8 台（100.00%） */
export const unitTargetsText = (u: BulletinUnit): string =>
  u.targets
    .map((t) => `${t.indicatorCode}：${t.value ?? '—'}/${t.target} ${t.unit}${t.percent === null ? '' : `（${percentText(t.percent)}）`}`)
    .join('；');

// 六、报送情况

export const noRoundsText = (b: Bulletin): string => `截至${chineseDate(b.asOf)}，尚无到期的报送轮次。`;

export function roundHeading(round: BulletinRound, asOf: string): string {
  const late = round.late.filter((l) => l.submittedAt !== null).length;
  const missing = round.late.length - late;
  return (
    `${round.title}（报送日 ${round.dueOn}${round.dueOn === asOf ? '，当日24时截止，尚未截止' : ''}）：` +
    `应报 ${round.pairs} 项，按时 ${round.onTime} 项，逾期报送 ${late} 项，未报送 ${missing} 项`
  );
}

export const allOnTimeText = '全部按时报送。';

export const roundColumns = ['牵头单位', '未报送的项目', '逾期报送的项目（首次报送时间）'] as const;

/** A round's pairs not reported on time, by agency: one table row each. */
export function lateByAgency(round: BulletinRound): Map<string, BulletinLatePair[]> {
  const byAgency = new Map<string, BulletinLatePair[]>();
  for (const pair of round.late) byAgency.set(pair.agencyName, [...(byAgency.get(pair.agencyName) ?? []), pair]);
  return byAgency;
}

/** 1. 加大创业担保贷款扶持力度 */
export const latePairText = (l: BulletinLatePair): string => `${l.projectNumber}. ${l.projectTitle}`;

// the footnotes: how figures are worked out and how agencies and counties are ranked

export const notes = {
  overview:
    '口径：完成率四舍五入保留两位小数；汇总以精确值计算，各部分封顶 100%；无数据的指标、项目按 0 计入（未报送即未体现进度）。' +
    '总体完成率为各评价项目完成率的平均值；序时进度为截至当日已过天数占全年天数的比例。',
  projects: '项目完成率为其评价指标完成率的加权平均（各指标封顶 100%，无数据的指标按 0 计）；“n/m”为有数据的评价指标数/评价指标数。',
  agencies:
    '牵头单位完成率 = 其牵头的评价项目完成率的平均值（与数据看板一致）：各项目封顶 100%，无数据的项目按 0 计，' +
    '共同牵头的项目计入每个牵头单位，仅设跟踪指标的项目不计入。按完成率（两位小数）由高到低排名，相同者并列；无数据或不评价的单位不排名，列于最后。',
  units:
    '县（市、区）完成率 = 分解到该地区的各项指标按其自身任务计算的完成率的平均值，各项封顶 100%，无数据按 0 计；' +
    '按完成率（两位小数）由高到低排名，相同者并列；无数据的地区不排名。未分解任务的地区（含市本级）不参与排名，不以全市任务评价县（市、区）。',
  rounds: (b: Bulletin): string =>
    `每个牵头单位就其牵头的每个项目报送一次；报送日24时后首次报送的为逾期报送。以${chineseDate(b.asOf)}24时前收到的报送为准。`,
};
