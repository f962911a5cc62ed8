// @ts-check
// The 大屏's panels as markup: the plan against the time elapsed, the ten projects, the next reporting
// round with who has not reported, and the ticker of the latest figures. No DOM here but the fragments.
import { bar } from './charts.js';
import { fmtInstant, fmtPercent, fmtValue, partsText } from './format.js';
import { html } from './html.js';
import { SCORED, statusBadge, statusOf } from './status-view.js';

/** @typedef {import('./documents.js').ScreenPlan} ScreenPlan */
/** @typedef {import('./documents.js').ScreenProject} ScreenProject */
/** @typedef {import('./documents.js').ScreenIndicator} ScreenIndicator */
/** @typedef {import('./documents.js').ReportingRound} ReportingRound */
/** @typedef {import('./documents.js').Status} Status */

/**
 * One line of the ticker: an indicator that moved (live), or, before anything arrives, one of those
 * reported most recently (seed). The figure is the one read again after the change; `more` counts the
 * indicators of the same change that have no line of their own.
 * @typedef {{
 *   key: string,
 *   live: boolean,
 *   at: string,
 *   code: string,
 *   regionCodes: string[],
 *   more: number,
 *   figure: { value: string | null, percent: number | null, status: Status } | null,
 * }} TickerLine
 */

/** @param {string} date "2023-07-01" */
const dayNumber = (date) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

/** Whole days from one date to another ("2023-07-01" to "2023-10-28": 119). @param {string} from @param {string} to */
export const daysBetween = (from, to) => Math.round(dayNumber(to) - dayNumber(from));

/** A percent only where the figure is judged: a roll-up without data or not scored shows none. @param {{ percent: number | null, status: string }} p */
const judgedPercent = (p) => (SCORED.has(statusOf(p.status)) ? fmtPercent(p.percent) : '—');

/**
 * The plan's percent beside the share of the period elapsed, the bar with the 序时进度 line.
 * @param {ScreenPlan} plan
 * @param {string} today
 */
export function overallPanel(plan, today) {
  const p = plan.progress;
  const elapsed = daysBetween(plan.periodStart, today) + 1;
  const total = daysBetween(plan.periodStart, plan.periodEnd) + 1;
  return html`
    <div class="overall-figures">
      <div class="figure">
        <span class="figure-label">总体完成</span>
        <span class="figure-value" id="overall-percent">${judgedPercent(p)}</span>
      </div>
      <div class="figure figure-expected">
        <span class="figure-label">序时进度</span>
        <span class="figure-value" id="overall-expected">${fmtPercent(p.expectedPercent)}</span>
      </div>
    </div>
    ${bar(p, { big: true })}
    <div class="overall-foot">
      ${statusBadge(p.status)}
      <span id="overall-parts">${partsText(p, '个项目')}</span>
      <span class="dim">计划期已过 ${Math.min(Math.max(elapsed, 0), total)}/${total} 天</span>
    </div>
  `;
}

/** @param {ScreenProject} project */
function projectRow(project) {
  const p = project.progress;
  const s = statusOf(p.status);
  // as on the dashboard: a project of TRACKED indicators only has no parts to count
  const note = s === 'NOT_SCORED' ? '仅跟踪指标，不评价' : s === 'NO_DATA' ? '尚无数据，按 0 计' : '';
  return html`
    <div class="project-row" data-project="${project.number}" data-status="${s}">
      <span class="project-no">${project.number}</span>
      <div class="project-main">
        <span class="project-title">${project.title}</span>
        <span class="project-bar">${bar(p, { note })}</span>
      </div>
      <span class="project-percent">${judgedPercent(p)}</span>
      <div class="project-side">
        ${statusBadge(s)}
        <span class="parts">${p.parts ? `${p.partsWithData ?? 0}/${p.parts} 项有数据` : '仅跟踪指标'}</span>
        <span class="project-lead">${project.leadAgencies.map((a) => a.name).join('、')}</span>
      </div>
    </div>
  `;
}

/** @param {ScreenProject[]} projects */
export const projectRows = (projects) => html`${projects.map(projectRow)}`;

/**
 * The next round (on its due day still the next; after the last, the last) and who has not reported,
 * by agency with the numbers of their projects.
 * @param {ReportingRound[]} rounds
 * @param {string} today
 * @param {string} timeZone
 */
export function deadlinePanel(rounds, today, timeZone) {
  const sorted = [...rounds].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
  const round = sorted.find((r) => r.dueOn >= today) ?? sorted[sorted.length - 1];
  if (!round)
    return html`<h2>下一轮进展报送</h2>
      <p class="dim">本方案没有报送轮次。</p>`;
  const days = daysBetween(today, round.dueOn);
  /** @type {Map<string, { name: string, projects: number[] }>} */
  const missing = new Map();
  for (const s of round.submissions) {
    if (s.submittedAt) continue;
    const entry = missing.get(s.agency.code) ?? { name: s.agency.name, projects: [] };
    entry.projects.push(s.project.number);
    missing.set(s.agency.code, entry);
  }
  const pairs = round.submissions.filter((s) => !s.submittedAt).length;
  return html`
    <h2>${days < 0 ? '最近一轮进展报送' : '下一轮进展报送'}</h2>
    <div class="round" data-round="${round.id}">
      <div class="countdown">
        ${
          days > 0
            ? html`<span class="countdown-label">还有</span><span class="countdown-days" id="countdown">${days}</span
                ><span class="countdown-label">天</span>`
            : days === 0
              ? html`<span class="countdown-days countdown-today" id="countdown">今天截止</span>`
              : html`<span class="countdown-label">已截止</span><span class="countdown-days" id="countdown">${-days}</span
                  ><span class="countdown-label">天</span>`
        }
      </div>
      <div class="round-facts">
        <strong>${round.title}</strong>
        <span class="dim">截止 ${fmtInstant(round.deadline, timeZone)}</span>
      </div>
    </div>
    <h3>未报送 <span class="count" id="missing-count">${pairs}</span> 项</h3>
    ${
      missing.size === 0
        ? html`<p class="all-reported">全部已报送</p>`
        : html`<ul class="missing" id="missing">
            ${[...missing].map(
              ([code, m]) => html`<li data-agency="${code}">${m.name}<span class="missing-projects">${m.projects.join(' ')}</span></li>`,
            )}
          </ul>`
    }
  `;
}

/** "10:32:05" in the plan's time zone. @param {string} at an ISO instant @param {string} timeZone */
function clockTime(at, timeZone) {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) return at;
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(
    instant,
  );
}

/**
 * The units a change moved, by name: three at most, then how many more.
 * @param {string[]} codes
 * @param {Map<string, string>} names
 */
function unitsText(codes, names) {
  const named = codes.map((c) => names.get(c) ?? c);
  return named.length > 3 ? `${named.slice(0, 3).join('、')} 等 ${named.length} 个单位` : named.join('、');
}

/**
 * The ticker: the latest changes first, each with the figure read again after it arrived.
 * @param {TickerLine[]} lines
 * @param {ScreenPlan} plan
 */
export function tickerLines(lines, plan) {
  if (lines.length === 0) return html`<li class="tick-empty dim">等待数据报送…</li>`;
  const indicators = new Map(plan.projects.flatMap((p) => p.indicators.map((i) => [i.code, i])));
  const names = new Map(plan.regions.map((r) => [r.code, r.name]));
  return html`${lines.map((line) => {
    const indicator = indicators.get(line.code);
    const f = line.figure;
    const s = statusOf(f?.status);
    const when = line.live ? clockTime(line.at, plan.timeZone) : line.at.slice(5);
    return html`
      <li class="tick ${line.live ? 'tick-live' : 'tick-seed'}" data-indicator="${line.code}" data-key="${line.key}">
        <span class="tick-time">${when}</span>
        <span class="tick-what" title="${line.code} ${indicator?.name ?? ''}"
          ><b>${line.code}</b>
          ${indicator?.name ?? ''}${line.more > 0 ? html`<span class="tick-more">另 ${line.more} 项</span>` : null}</span
        >
        <span class="tick-units">${unitsText(line.regionCodes, names)}</span>
        <span class="tick-value"
          >${f ? fmtValue(f.value) : '…'}<span class="tick-unit">${indicator?.unit ?? ''}</span>${
            f && SCORED.has(s) ? html`<span class="tick-percent pct-${s}">${fmtPercent(f.percent)}</span>` : null
          }</span
        >
      </li>
    `;
  })}`;
}

/**
 * Before anything arrives: the indicators reported most recently, by the date of their latest figure.
 * @param {ScreenPlan} plan
 * @param {number} count
 * @returns {TickerLine[]}
 */
export function seedLines(plan, count) {
  /** @type {ScreenIndicator[]} */
  const reported = plan.projects.flatMap((p) => p.indicators).filter((i) => i.progress.lastObservedOn !== null);
  reported.sort((a, b) => (a.progress.lastObservedOn ?? '').localeCompare(b.progress.lastObservedOn ?? ''));
  return reported
    .slice(-count)
    .reverse()
    .map((i) => ({
      key: `seed-${i.code}`,
      live: false,
      at: i.progress.lastObservedOn ?? '',
      code: i.code,
      regionCodes: [],
      more: 0,
      figure: i.progress,
    }));
}
