// @ts-check
// The opened project: its figure, its indicators with their sparklines, and its region table.
import { fetchProject } from './api.js';
import { sparkline } from './charts.js';
import { byId } from './dom.js';
import { fmtPercent, fmtValue, kindLabel, partsText, reportedByLabel } from './format.js';
import { html, render } from './html.js';
import { markSelected } from './projects.js';
import { regionTable } from './region-table.js';
import { handleError } from './session.js';
import { state } from './state.js';
import { SCORED, statusBadge, statusOf } from './status-view.js';

/** @typedef {import('./documents.js').Indicator} Indicator */
/** @typedef {import('./documents.js').ProjectDetail} ProjectDetail */
/** @typedef {import('./documents.js').RollUp} RollUp */

/** Opens a project below the list (a click on its row). @param {number} number */
export function selectProject(number) {
  state.selected = number;
  markSelected(number);
  const panel = byId('project-detail');
  panel.hidden = false;
  panel.setAttribute('aria-busy', 'true');
  void loadProject(number);
}

/** Loads the opened project as of the chosen day. @param {number} number */
export async function loadProject(number) {
  const seq = ++state.detailSeq;
  const asOf = state.asOf;
  const planCode = state.overview?.code ?? null;
  try {
    const data = await fetchProject(state.token, { number, planCode, asOf });
    if (seq !== state.detailSeq) return;
    const panel = byId('project-detail');
    if (!data.project) {
      render(panel, html`<p class="muted">没有第 ${number} 项实事。</p>`);
      return;
    }
    renderProject(data.project, asOf);
    panel.dataset.project = String(number);
    panel.dataset.asOf = asOf;
    panel.setAttribute('aria-busy', 'false');
  } catch (error) {
    if (seq === state.detailSeq) handleError(error);
  }
}

function closeProject() {
  state.selected = null;
  state.detailSeq++;
  const panel = byId('project-detail');
  panel.hidden = true;
  render(panel, html``);
  markSelected(null);
}

/** The target column: a standard from its baseline, a bound with its direction, a milestone's stages. @param {Indicator} indicator */
function targetText(indicator) {
  const t = indicator.target;
  switch (indicator.kind) {
    case 'LEVEL':
      if (t === null) return '—';
      return indicator.baseline !== null && indicator.baseline !== undefined ? `${indicator.baseline} → ${t}` : String(t);
    case 'THRESHOLD':
      return t === null ? '—' : `${indicator.direction === 'AT_MOST' ? '≤' : '≥'} ${t}`;
    case 'MILESTONE':
      return `${indicator.stages.length} 个阶段`;
    case 'TRACKED':
      return '—';
    default:
      return t === null ? '—' : String(t);
  }
}

/** @param {Indicator} ind @param {string} periodStart @param {string} asOf */
function indicatorRow(ind, periodStart, asOf) {
  const g = ind.progress;
  const s = statusOf(g.status);
  const scored = s !== 'NOT_SCORED';
  const level = ind.reportedBy ? html` <span class="kind level">${reportedByLabel(ind.reportedBy)}</span>` : null;
  const decomposed =
    (ind.regionTargets ?? []).length > 0
      ? html` <span class="kind decomposed" title="任务已分解到各地，各地按自身目标评价">任务分解</span>`
      : null;
  return html`
    <tr data-indicator="${ind.code}" data-status="${s}">
      <td class="code">${ind.code}</td>
      <td class="name">${ind.name} <span class="kind">${kindLabel(ind.kind)}</span>${level}${decomposed}</td>
      <td class="num value">${fmtValue(g.value)}</td>
      <td class="num target">${targetText(ind)}</td>
      <td class="unit">${ind.unit}</td>
      <td class="num ind-percent">${scored ? fmtPercent(g.percent) : '—'}</td>
      <td class="num expected">${scored ? fmtPercent(g.expectedPercent) : '—'}</td>
      <td>${statusBadge(s)}</td>
      <td class="spark-cell">${sparkline(ind.series, s, periodStart, asOf)}</td>
    </tr>
  `;
}

/** The project's own figure: a TRACKED-only project is shown, not scored. @param {RollUp} pr */
function progressLine(pr) {
  const ps = statusOf(pr.status);
  if (ps === 'NOT_SCORED') {
    return html`<div class="detail-progress">
      ${statusBadge(ps)} <span class="muted">本项目只有跟踪指标（文件未设定量目标）：下表列出其数值，不评价，不计入总体进度。</span>
    </div>`;
  }
  return html`
    <div class="detail-progress">
      完成 <strong>${SCORED.has(ps) ? fmtPercent(pr.percent) : '—'}</strong> · 序时进度 ${fmtPercent(pr.expectedPercent)} ${statusBadge(ps)}
      <span class="parts-note" id="detail-parts">${partsText(pr, '项计分指标')}</span>
      <span class="muted">（跟踪指标不计分；单项封顶 100%；无数据的指标按 0 计）</span>
    </div>
  `;
}

/** @param {ProjectDetail} project @param {string} asOf */
function renderProject(project, asOf) {
  const plan = state.overview;
  const leads = project.leadAgencies.map((a) => a.name).join('、') || '—';
  const resp = project.responsibleAgencies.map((a) => a.name).join('、');
  const panel = byId('project-detail');
  render(
    panel,
    html`
      <div class="detail-head">
        <h2><span class="project-number">${project.number}</span> ${project.title}</h2>
        <button type="button" class="btn btn-light" id="close-detail">收起</button>
      </div>
      <p class="agencies">牵头单位：${leads}${resp ? `　责任单位：${resp}` : null}</p>
      ${project.summary ? html`<p class="summary">${project.summary}</p>` : null} ${progressLine(project.progress)}
      <h3>指标（截至 ${asOf}）</h3>
      <div class="table-wrap">
        <table class="indicators">
          <thead>
            <tr>
              <th>编号</th>
              <th>指标</th>
              <th class="num">当前值</th>
              <th class="num">目标</th>
              <th>单位</th>
              <th class="num">完成</th>
              <th class="num">序时</th>
              <th>状态</th>
              <th>走势</th>
            </tr>
          </thead>
          <tbody>
            ${project.indicators.map((ind) => indicatorRow(ind, plan?.periodStart ?? asOf, asOf))}
          </tbody>
        </table>
      </div>
      ${regionTable(project, plan?.regions ?? [])}
    `,
  );
  byId('close-detail').addEventListener('click', closeProject);
}
