// @ts-check
// 数据接入 / Feeds (OFFICE): every bureau feed with its last run, and Run now, which shows the run it
// queued at once and follows it until it has finished.
import { fetchFeedRun, fetchFeeds, runFeed } from './api.js';
import { byId } from './dom.js';
import { closeFeed, loadFeedDetail, markSelectedFeed, selectFeed, selectRun } from './feed-detail.js';
import { isFinished, runStatusTag, runTimes, scheduleText, triggerText } from './feed-runs.js';
import { html, render } from './html.js';
import { showError } from './messages.js';
import { handleError } from './session.js';
import { state } from './state.js';

/** @typedef {import('./documents.js').Feed} Feed */
/** @typedef {import('./documents.js').FeedRun} FeedRun */

// how long Run now follows its run (about 40 s); after that the page's 刷新 shows where it stands
const FOLLOW_DELAYS_MS = [500, 500, 1000, 1000, 1000, 2000, 2000, 3000, 3000, 5000, 5000, 5000, 5000, 5000];

/** Loads every feed with its last run; an open feed's details follow. */
export async function loadFeeds() {
  const seq = ++state.feedsSeq;
  const card = byId('feeds');
  card.setAttribute('aria-busy', 'true');
  try {
    const data = await fetchFeeds(state.token);
    if (seq !== state.feedsSeq) return;
    showError('');
    state.feeds = data.feeds;
    renderFeeds();
    if (state.selectedFeed !== null) {
      if (state.feeds.some((f) => f.id === state.selectedFeed)) void loadFeedDetail(state.selectedFeed);
      else closeFeed();
    }
  } catch (error) {
    if (seq === state.feedsSeq) handleError(error);
  } finally {
    if (seq === state.feedsSeq) card.setAttribute('aria-busy', 'false');
  }
}

/** Forgets the feeds of an earlier session (a new login starts without them). */
export function resetFeeds() {
  state.feedsSeq++;
  state.feeds = [];
  state.following.clear();
  notice('');
  closeFeed();
  byId('feeds-body').className = 'muted';
  render(byId('feeds-body'), html`加载中…`);
}

/** The page's clicks: Run now, a feed's details, a run picked in them, refresh and close. */
export function initFeeds() {
  byId('feeds-view').addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const run = target?.closest('[data-run-feed]');
    const open = target?.closest('[data-open-feed]');
    const pick = target?.closest('[data-pick-run]');
    if (run) void runNow(run.getAttribute('data-run-feed') ?? '');
    else if (open) selectFeed(open.getAttribute('data-open-feed') ?? '');
    else if (pick) selectRun(pick.getAttribute('data-pick-run') ?? '');
    else if (target?.closest('#feeds-refresh')) void loadFeeds();
    else if (target?.closest('#close-feed')) closeFeed();
  });
}

/** A line above the table saying what Run now is doing: text only. @param {string} message */
function notice(message) {
  const el = byId('feeds-notice');
  el.textContent = message;
  el.hidden = !message;
}

function renderFeeds() {
  const body = byId('feeds-body');
  if (state.feeds.length === 0) {
    body.className = 'muted';
    render(body, html`尚未配置数据接入：通过接口 upsertFeed 登记各单位的数据源后，这里列出它们的运行情况。`);
    return;
  }
  body.className = 'table-wrap';
  render(
    body,
    html`
      <table class="feeds-table" id="feeds-table">
        <thead>
          <tr>
            <th>数据源</th>
            <th>报送单位</th>
            <th>拉取计划</th>
            <th>启用</th>
            <th>最近运行</th>
            <th>开始 / 结束</th>
            <th class="num">写入</th>
            <th class="num">隔离</th>
            <th>错误</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${state.feeds.map(feedRow)}
        </tbody>
      </table>
    `,
  );
  markSelectedFeed(state.selectedFeed);
}

/** @param {Feed} feed */
function feedRow(feed) {
  const run = feed.lastRun;
  const zone = state.overview?.timeZone ?? feed.timeZone;
  const otherPlan = state.overview && feed.planCode !== state.overview.code ? html` · 方案 ${feed.planCode}` : null;
  return html`
    <tr data-feed="${feed.id}" data-status="${run?.status ?? 'NEVER'}">
      <td class="feed-name">
        <button type="button" class="linkish" data-open-feed="${feed.id}">${feed.name}</button>
        <span class="sub" title="${feed.url}">${feed.format} · ${feed.url}${otherPlan}</span>
      </td>
      <td class="agency">${feed.agency.name}</td>
      <td class="schedule" title="cron：${feed.schedule}（${feed.timeZone}）">${scheduleText(feed.schedule)}</td>
      <td>${feed.enabled ? html`<span class="tag tag-ok">启用</span>` : html`<span class="tag tag-off">停用</span>`}</td>
      <td class="last-run">
        ${run ? html`${runStatusTag(run)}<span class="sub">${triggerText(run.trigger)} · #${run.id}</span>` : html`<span class="muted">尚未运行</span>`}
      </td>
      <td class="run-times">${run ? runTimes(run, zone) : '—'}</td>
      <td class="num written">${run ? run.accepted : '—'}</td>
      <td class="num quarantined${run?.rejected ? ' has-rejected' : ''}">${run ? run.rejected : '—'}</td>
      <td class="run-error">${run?.error ? html`<span class="error-text" title="${run.error}">${run.error}</span>` : '—'}</td>
      <td class="actions">
        ${
          state.following.has(feed.id)
            ? html`<button type="button" class="btn btn-light btn-small" data-run-feed="${feed.id}" disabled>运行中…</button>`
            : html`<button type="button" class="btn btn-light btn-small" data-run-feed="${feed.id}">立即运行</button>`
        }
        <button type="button" class="btn btn-light btn-small" data-open-feed="${feed.id}">详情</button>
      </td>
    </tr>
  `;
}

/**
 * Run now: queues a pull, shows its run at once (排队中) and follows it until it has finished.
 * @param {string} feedId
 */
async function runNow(feedId) {
  const feed = state.feeds.find((f) => f.id === feedId);
  if (!feed || state.following.has(feedId)) return;
  // the login that asked (a token, or a person's session cookie): a logout stops following
  const session = state.me;
  // the button is disabled while the run is queued, then while it is followed
  state.following.set(feedId, '');
  renderFeeds();
  /** @type {FeedRun} */
  let run;
  try {
    run = (await runFeed(state.token, feedId)).runFeed;
  } catch (error) {
    state.following.delete(feedId);
    renderFeeds();
    handleError(error);
    return;
  }
  if (session !== state.me) return;
  state.following.set(feedId, run.id);
  notice(`“${feed.name}”已排队：运行 #${run.id}。`);
  showRun(feedId, run);
  await follow(feed, run.id, session);
}

/**
 * Asks for a run's status until it has finished, or gives up after FOLLOW_DELAYS_MS.
 * @param {Feed} feed
 * @param {string} runId
 * @param {unknown} session the login that asked (state.me then): a logout stops following
 */
async function follow(feed, runId, session) {
  try {
    for (const delay of FOLLOW_DELAYS_MS) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (session !== state.me) return;
      const run = (await fetchFeedRun(state.token, runId, false)).feedRun;
      if (session !== state.me) return;
      if (isFinished(run.status)) {
        state.following.delete(feed.id);
        notice(
          run.status === 'SUCCEEDED'
            ? `“${feed.name}”运行 #${run.id} 完成：写入 ${run.accepted} 条，隔离 ${run.rejected} 条。`
            : `“${feed.name}”运行 #${run.id} 失败：${run.error ?? '原因不明'}`,
        );
        showRun(feed.id, run);
        return;
      }
      showRun(feed.id, run);
    }
    notice(`“${feed.name}”运行 #${runId} 仍未结束，可稍后点击“刷新”查看。`);
  } catch (error) {
    if (session === state.me) handleError(error);
  } finally {
    if (state.following.get(feed.id) === runId) {
      state.following.delete(feed.id);
      renderFeeds();
    }
  }
}

/**
 * A run's news: the feed's row shows it (unless a newer run has come meanwhile), and an open details
 * pane of the feed lists it, picked once it has finished.
 * @param {string} feedId
 * @param {FeedRun} run
 */
function showRun(feedId, run) {
  const feed = state.feeds.find((f) => f.id === feedId);
  if (!feed) return;
  const news = !feed.lastRun || feed.lastRun.id !== run.id || feed.lastRun.status !== run.status;
  if (!feed.lastRun || Number(run.id) >= Number(feed.lastRun.id)) feed.lastRun = run;
  renderFeeds();
  if (news && state.selectedFeed === feedId) {
    if (isFinished(run.status)) state.selectedRun = run.id;
    void loadFeedDetail(feedId);
  }
}
