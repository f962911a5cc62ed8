// @ts-check
// The ten projects, one row each: bar, percent, status and how many indicators have data.
import { applySizes, bar } from './charts.js';
import { byId } from './dom.js';
import { fmtPercent, partsText } from './format.js';
import { html, render } from './html.js';
import { SCORED, statusBadge, statusOf } from './status-view.js';

/** @typedef {import('./documents.js').ProjectSummary} ProjectSummary */

/** @param {ProjectSummary} project @param {boolean} selected */
function projectRow(project, selected) {
  const pr = project.progress;
  const s = statusOf(pr.status);
  const leads = project.leadAgencies.map((a) => a.name).join('、');
  const note = s === 'NOT_SCORED' ? '仅跟踪指标：列数值，不评价，不计入总体进度' : s === 'NO_DATA' ? '尚无数据：总体进度中按 0 计' : '';
  const parts = pr.parts ? partsText(pr, '项指标') : '仅跟踪指标';
  const partial = pr.parts && (pr.partsWithData ?? 0) < pr.parts;
  return html`
    <button
      type="button"
      class="project-row status-row-${s}${selected ? ' selected' : ''}"
      data-project="${project.number}"
      data-status="${s}"
      aria-pressed="${selected}"
    >
      <span class="project-number">${project.number}</span>
      <span class="project-title">
        <span class="title">${project.title}</span>
        <span class="leads">牵头：${leads || '—'}</span>
      </span>
      <span class="project-bar">${bar(pr, { note })}</span>
      <span class="percent">${SCORED.has(s) ? fmtPercent(pr.percent) : '—'}</span>
      <span class="project-status">${statusBadge(s)}<span class="parts${partial ? ' parts-partial' : ''}">${parts}</span></span>
    </button>
  `;
}

/**
 * @param {ProjectSummary[]} projects
 * @param {number | null} selected the opened project
 */
export function renderProjects(projects, selected) {
  const list = byId('projects');
  render(list, html`${projects.map((project) => projectRow(project, selected === project.number))}`);
  applySizes(list);
}

/** Marks the opened project's row (none: null). @param {number | null} number */
export function markSelected(number) {
  for (const row of document.querySelectorAll('.project-row')) {
    const on = Number(row.getAttribute('data-project')) === number;
    row.classList.toggle('selected', on);
    row.setAttribute('aria-pressed', String(on));
  }
}
