// @ts-check
// How a feed and its runs read on the feeds page and in a feed's details: the run's status, when it
// ran, and the feed's schedule. No DOM.
import { fmtInstant } from './format.js';
import { html } from './html.js';

/** @typedef {import('./documents.js').FeedRun} FeedRun */
/** @typedef {import('./documents.js').FeedRunStatus} FeedRunStatus */

/**
 * Each status's label and tone (its colour in style.css). RETRYING: an attempt failed, another follows with backoff.
 * @type {Record<FeedRunStatus, { zh: string, tone: 'pending' | 'warn' | 'ok' | 'fail' }>}
 */
const RUN_STATUS = {
  QUEUED: { zh: '排队中', tone: 'pending' },
  RUNNING: { zh: '运行中', tone: 'pending' },
  RETRYING: { zh: '等待重试', tone: 'warn' },
  SUCCEEDED: { zh: '成功', tone: 'ok' },
  FAILED: { zh: '失败', tone: 'fail' },
};

/** @type {Record<FeedRun['trigger'], string>} */
const TRIGGER_LABEL = { SCHEDULE: '定时', MANUAL: '手动' };

/** A run that will change no more. @param {string} status */
export const isFinished = (status) => status === 'SUCCEEDED' || status === 'FAILED';

/** @param {FeedRun['trigger']} trigger */
export const triggerText = (trigger) => TRIGGER_LABEL[trigger] ?? trigger;

/** @param {FeedRun} run */
export function runStatusTag(run) {
  const s = RUN_STATUS[run.status] ?? { zh: run.status, tone: 'pending' };
  return html`<span class="run-status run-${s.tone}" data-status="${run.status}" title="${run.status}">${s.zh}</span>`;
}

/**
 * When a run started and finished, in the plan's wall time; the end's date only when it differs.
 * @param {FeedRun} run
 * @param {string | null | undefined} timeZone
 */
export function runTimes(run, timeZone) {
  const started = fmtInstant(run.startedAt, timeZone);
  if (!run.finishedAt) return html`<span class="run-time">${started}</span><span class="sub">尚未结束</span>`;
  const finished = fmtInstant(run.finishedAt, timeZone);
  const sameDay = finished.slice(0, 10) === started.slice(0, 10);
  return html`<span class="run-time">${started}</span><span class="sub">至 ${sameDay ? finished.slice(11) : finished}</span>`;
}

/** "每天 02:00" for the daily pattern most feeds use; any other cron pattern as it is. @param {string} schedule */
export function scheduleText(schedule) {
  const daily = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(schedule.trim());
  return daily ? `每天 ${daily[2].padStart(2, '0')}:${daily[1].padStart(2, '0')}` : schedule;
}
