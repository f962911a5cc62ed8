// @ts-check
// The plan as of a day: its heading, the overall figure and legend, then the projects and rounds.
import { fetchOverview } from './api.js';
import { applySizes, bar } from './charts.js';
import { byId } from './dom.js';
import { fmtPercent, isDate, partsText } from './format.js';
import { html, render } from './html.js';
import { showError } from './messages.js';
import { loadProject } from './project-detail.js';
import { renderProjects } from './projects.js';
import { renderRounds } from './rounds.js';
import { handleError, setToday } from './session.js';
import { state } from './state.js';
import { STATUS } from './status.js';
import { SCORED, statusBadge, statusOf, statusText } from './status-view.js';

/** @typedef {import('./documents.js').Plan} Plan */

const PARTS_NOTE = '仅有跟踪指标的项目不评价，不计入；尚无数据的项目按 0 计入总体进度';

/** Loads the plan as of the chosen day; the opened project follows. */
export async function loadOverview() {
  const seq = ++state.overviewSeq;
  const asOf = state.asOf;
  byId('overall').setAttribute('aria-busy', 'true');
  try {
    const data = await fetchOverview(state.token, asOf);
    if (seq !== state.overviewSeq) return;
    showError('');
    if (isDate(data.today)) setToday(data.today);
    if (!data.plan) {
      byId('overall-body').textContent = '数据中枢中还没有方案。';
      return;
    }
    state.overview = data.plan;
    renderOverview(data.plan, asOf);
    byId('dashboard').dataset.asOf = asOf;
    if (state.selected !== null) void loadProject(state.selected);
  } catch (error) {
    if (seq === state.overviewSeq) handleError(error);
  } finally {
    if (seq === state.overviewSeq) byId('overall').setAttribute('aria-busy', 'false');
  }
}

/** @param {Plan} plan @param {string} asOf */
function renderOverview(plan, asOf) {
  byId('plan-heading').hidden = false;
  byId('plan-title').textContent = plan.title;
  byId('plan-doc').textContent = plan.documentNumber;
  byId('plan-period').textContent = `${plan.periodStart} 至 ${plan.periodEnd}`;
  document.title = `${plan.title} · 民生实事数据中枢`;

  const p = plan.progress;
  const ps = statusOf(p.status);
  const percent = SCORED.has(ps) ? fmtPercent(p.percent) : '—';
  const expected = fmtPercent(p.expectedPercent);
  const overall = byId('overall-body');
  overall.className = '';
  render(
    overall,
    html`
      <div class="overall-figures">
        <span class="overall-text"
          >完成 <strong id="overall-percent">${percent}</strong> · 序时进度 <strong id="overall-expected">${expected}</strong></span
        >
        ${statusBadge(ps)}
        <span class="parts-note" id="overall-parts" title="${PARTS_NOTE}">${partsText(p, '个项目')}</span>
        <span class="muted asof-note">截至 ${asOf}</span>
      </div>
      ${bar(p, { big: true })}
      <div class="bar-scale"><span>0%</span><span>序时进度线：计划期已过 ${expected}</span><span>100%</span></div>
      <p class="rule-note muted">
        总体进度为各计分项目的平均；项目进度为其计分指标的加权平均，单项封顶 100%，未报送数据的指标按 0 计（未报即未见进展）。
      </p>
    `,
  );
  applySizes(overall);

  render(
    byId('legend'),
    html`
      ${Object.keys(STATUS).map((s) => html`<span class="legend-item"><span class="swatch fill-${s}"></span>${statusText(s)}</span>`)}
      <span class="legend-item"><span class="swatch swatch-expected"></span>序时进度</span>
    `,
  );

  renderProjects(plan.projects, state.selected);
  renderRounds(plan.reportingRounds, asOf, plan.timeZone);
}
