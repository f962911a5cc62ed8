// @ts-check
// Progress bars and sparklines: markup only, sized after rendering by applySizes.
import { fmtPercent } from './format.js';
import { html } from './html.js';
import { SCORED, statusOf } from './status-view.js';

/** @typedef {import('./html.js').Fragment} Fragment */

/** @param {number | null | undefined} p */
const barWidth = (p) => Math.max(0, Math.min(Number(p) || 0, 100));

/**
 * A progress bar: fill to min(percent, 100), a marker at the expected (time-elapsed) share. A figure
 * that is not judged (NOT_SCORED) or has nothing reported (NO_DATA) gets no bar: an empty track would
 * read as 0 % done.
 * @param {{ percent: number | null, expectedPercent: number | null, status: string }} figure
 * @param {{ big?: boolean, note?: string }} [options]
 * @returns {Fragment}
 */
export function bar({ percent, expectedPercent, status }, { big = false, note = '' } = {}) {
  const s = statusOf(status);
  const size = big ? ' bar-big' : '';
  if (!SCORED.has(s) || percent === null || percent === undefined) {
    const text = note || (s === 'NOT_SCORED' ? '不评价' : '尚无数据');
    return html`<span class="bar-none bar-none-${s}${size}">${text}</span>`;
  }
  const marker =
    expectedPercent === null || expectedPercent === undefined
      ? null
      : html`<span class="bar-expected" data-left="${barWidth(expectedPercent)}" title="序时进度 ${fmtPercent(expectedPercent)}"></span>`;
  return html`<span class="bar${size}"><span class="bar-fill fill-${s}" data-width="${barWidth(percent)}"></span>${marker}</span>`;
}

/**
 * Sizes bars after rendering (no inline style attributes, so the strict CSP does not break them).
 * @param {ParentNode} root
 */
export function applySizes(root) {
  for (const el of root.querySelectorAll('[data-width]')) {
    if (el instanceof HTMLElement) el.style.width = `${el.dataset.width}%`;
  }
  for (const el of root.querySelectorAll('[data-left]')) {
    if (el instanceof HTMLElement) el.style.left = `${el.dataset.left}%`;
  }
}

/** @param {string} date "2023-07-01" */
const dayNumber = (date) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

/**
 * A small step line of the values as of each day with data, from the plan start to asOf.
 * @param {{ date: string, value: string }[] | null | undefined} series
 * @param {string} status
 * @param {string} periodStart
 * @param {string} asOf
 * @returns {Fragment}
 */
export function sparkline(series, status, periodStart, asOf) {
  const points = (series ?? [])
    .map((p) => ({ x: dayNumber(p.date), y: Number(p.value), date: p.date, value: p.value }))
    .filter((p) => Number.isFinite(p.y));
  if (points.length === 0) return html`<span class="muted">—</span>`;
  const w = 120;
  const h = 28;
  const pad = 3;
  const x0 = Math.min(dayNumber(periodStart), points[0].x);
  const x1 = Math.max(dayNumber(asOf), points[points.length - 1].x, x0 + 1);
  const ys = points.map((p) => p.y);
  let lo = Math.min(0, ...ys);
  let hi = Math.max(...ys);
  if (hi === lo) {
    hi = lo + 1;
    if (lo !== 0) lo -= 1;
  }
  /** @param {number} x */
  const sx = (x) => pad + ((x - x0) / (x1 - x0)) * (w - 2 * pad);
  /** @param {number} y */
  const sy = (y) => h - pad - ((y - lo) / (hi - lo)) * (h - 2 * pad);
  let d = `M${sx(points[0].x).toFixed(1)},${sy(points[0].y).toFixed(1)}`;
  for (let i = 1; i < points.length; i++) d += ` H${sx(points[i].x).toFixed(1)} V${sy(points[i].y).toFixed(1)}`;
  d += ` H${sx(x1).toFixed(1)}`;
  const last = points[points.length - 1];
  const title = points
    .map((p) => `${p.date}: ${p.value}`)
    .slice(-12)
    .join('\n');
  return html`
    <svg class="spark stroke-${statusOf(status)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="走势">
      <title>${title}</title>
      <line class="spark-axis" x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}"></line>
      <path d="${d}"></path>
      <circle cx="${sx(last.x).toFixed(1)}" cy="${sy(last.y).toFixed(1)}" r="2.2"></circle>
    </svg>
  `;
}
