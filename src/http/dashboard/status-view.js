// @ts-check
// How a status reads and looks: its label and colours from the one table (generated from
// src/progress/status.ts, shared with the ledger), and its badge.
import { html } from './html.js';
import { STATUS } from './status.js';

/** @typedef {import('./status.js').Status} Status */

/**
 * Statuses that judge a figure: only these are coloured. NO_DATA is grey; NOT_SCORED has no colour at all.
 * @type {ReadonlySet<string>}
 */
export const SCORED = new Set(['ACHIEVED', 'ON_TRACK', 'LAGGING', 'BEHIND']);

/**
 * CSS custom properties set from the shared table (style.css keeps the same values as fallbacks).
 * @type {Record<Status, string>}
 */
const STATUS_CSS = {
  ACHIEVED: 'achieved',
  ON_TRACK: 'on-track',
  LAGGING: 'lagging',
  BEHIND: 'behind',
  NO_DATA: 'no-data',
  NOT_SCORED: 'not-scored',
};

/** A status the table knows, NO_DATA for anything else. @param {string | null | undefined} s @returns {Status} */
export const statusOf = (s) => (s !== null && s !== undefined && Object.hasOwn(STATUS, s) ? /** @type {Status} */ (s) : 'NO_DATA');
/** @param {string | null | undefined} s */
export const statusText = (s) => STATUS[statusOf(s)].zh;

/** Takes the colours of the shared status table into the style sheet's custom properties. */
export function applyStatusColours() {
  const root = document.documentElement.style;
  for (const [status, name] of Object.entries(STATUS_CSS)) {
    const entry = STATUS[/** @type {Status} */ (status)];
    if (!entry) continue;
    if (/^#[0-9a-f]{3,8}$/i.test(entry.colour ?? '')) root.setProperty(`--${name}`, entry.colour);
    if (/^#[0-9a-f]{3,8}$/i.test(entry.fill ?? '')) root.setProperty(`--${name}-bg`, entry.fill);
  }
}

/** @param {string} status */
export function statusBadge(status) {
  const s = statusOf(status);
  return html`<span class="badge status-${s}" title="${STATUS[s].en}">${statusText(s)}</span>`;
}
