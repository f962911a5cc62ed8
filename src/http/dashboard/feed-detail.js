// @ts-check
// A feed's details below the feeds table: its last ten runs, and the records one of them quarantined,
// each with its id, the bureau's field at fault and the reason.
import { fetchFeedRun, fetchFeedRuns } from './api.js';
import { byId } from './dom.js';
import { isFinished, runStatusTag, runTimes, scheduleText, triggerText } from './feed-runs.js';
import { html, render } from './html.js';
import { handleError } from './session.js';
import { state } from './state.js';

/** @typedef {import('./documents.js').Feed} Feed */
/** @typedef {import('./documents.js').FeedRun} FeedRun */
/** @typedef {import('./documents.js').FeedRejection} FeedRejection */

/** Opens a feed's details (its 详情 button or name). @param {string} feedId */
export function selectFeed(feedId) {
  if (state.selectedFeed !== feedId) state.selectedRun = null;
  state.selectedFeed = feedId;
  markSelectedFeed(feedId);
  const panel = byId('feed-detail');
  panel.hidden = false;
  panel.setAttribute('aria-busy', 'true');
  void loadFeedDetail(feedId).then(() => {
    if (state.selectedFeed === feedId) panel.scrollIntoView({ block: 'nearest' });
  });
}

/** Shows the quarantined records of another run of the open feed. @param {string} runId */
export function selectRun(runId) {
  if (state.selectedFeed === null) return;
  state.selectedRun = runId;
  byId('feed-detail').setAttribute('aria-busy', 'true');
  void loadFeedDetail(state.selectedFeed);
}

export function closeFeed() {
  state.selectedFeed = null;
  state.selectedRun = null;
  state.feedDetailSeq++;
  const panel = byId('feed-detail');
  panel.hidden = true;
  delete panel.dataset.feed;
  delete panel.dataset.run;
  render(panel, html``);
  markSelectedFeed(null);
}

/** Marks the open feed's row in the table (none: null). @param {string | null} feedId */
export function markSelectedFeed(feedId) {
  for (const row of document.querySelectorAll('#feeds-table tr[data-feed]')) {
    row.classList.toggle('selected', row.getAttribute('data-feed') === feedId);
  }
}

/**
 * The run whose quarantined records are shown first: the newest that quarantined any (an incremental
 * feed does not fetch those records again, so a later clean run has not settled them), else the newest.
 * @param {FeedRun[]} runs newest first
 */
const firstShown = (runs) => runs.find((r) => r.rejected > 0) ?? runs[0];

/** Loads the feed's runs, then the picked run with its quarantined records. @param {string} feedId */
export async function loadFeedDetail(feedId) {
  const seq = ++state.feedDetailSeq;
  const token = state.token;
  const panel = byId('feed-detail');
  try {
    const runs = (await fetchFeedRuns(token, feedId)).feedRuns.edges.map((e) => e.node);
    if (seq !== state.feedDetailSeq) return;
    const runId = runs.some((r) => r.id === state.selectedRun) ? state.selectedRun : (firstShown(runs)?.id ?? null);
    const picked = runId === null ? null : (await fetchFeedRun(token, runId, true)).feedRun;
    if (seq !== state.feedDetailSeq) return;
    const feed = state.feeds.find((f) => f.id === feedId);
    if (!feed) return;
    state.selectedRun = runId;
    renderDetail(feed, runs, picked);
    panel.dataset.feed = feedId;
    if (runId === null) delete panel.dataset.run;
    else panel.dataset.run = runId;
    panel.setAttribute('aria-busy', 'false');
  } catch (error) {
    if (seq === state.feedDetailSeq) handleError(error);
  }
}

/**
 * @param {Feed} feed
 * @param {FeedRun[]} runs
 * @param {(FeedRun & { rejections?: FeedRejection[] }) | null} picked
 */
function renderDetail(feed, runs, picked) {
  const zone = state.overview?.timeZone ?? feed.timeZone;
  const running = state.following.has(feed.id);
  render(
    byId('feed-detail'),
    html`
      <div class="detail-head">
        <h2>${feed.name} <span class="muted feed-agency">${feed.agency.name}</span></h2>
        <div class="detail-actions">
          ${
            running
              ? html`<button type="button" class="btn btn-small" data-run-feed="${feed.id}" disabled>运行中…</button>`
              : html`<button type="button" class="btn btn-small" data-run-feed="${feed.id}">立即运行</button>`
          }
          <button type="button" class="btn btn-light btn-small" id="close-feed">收起</button>
        </div>
      </div>
      <p class="feed-facts">
        <span>地址 <code>${feed.url}</code></span>
        <span>格式 ${feed.format}</span>
        <span>拉取计划 ${scheduleText(feed.schedule)} <span class="muted">（${feed.schedule}，${feed.timeZone}）</span></span>
        <span>${feed.enabled ? '已启用' : '已停用：不按计划拉取'}</span>
      </p>
      <h3>最近 ${runs.length} 次运行 <span class="hint">点击运行编号查看其隔离记录</span></h3>
      ${runs.length === 0 ? html`<p class="muted">这个数据源还没有运行过。</p>` : runsTable(runs, picked?.id ?? null, zone)}
      ${picked ? rejectionsOf(picked) : null}
    `,
  );
}

/**
 * @param {FeedRun[]} runs
 * @param {string | null} pickedId
 * @param {string} zone
 */
function runsTable(runs, pickedId, zone) {
  return html`
    <div class="table-wrap">
      <table class="feed-runs" id="feed-runs">
        <thead>
          <tr>
            <th>运行</th>
            <th>触发</th>
            <th>状态</th>
            <th>开始 / 结束</th>
            <th class="num">尝试</th>
            <th class="num">读取</th>
            <th class="num">写入</th>
            <th class="num">隔离</th>
            <th>错误</th>
          </tr>
        </thead>
        <tbody>
          ${runs.map(
            (run) => html`
              <tr data-run="${run.id}" data-status="${run.status}" class="${run.id === pickedId ? 'selected' : ''}">
                <td>
                  <button type="button" class="linkish" data-pick-run="${run.id}" aria-pressed="${run.id === pickedId}">#${run.id}</button>
                </td>
                <td>${triggerText(run.trigger)}</td>
                <td>${runStatusTag(run)}</td>
                <td class="run-times">${runTimes(run, zone)}</td>
                <td class="num">${run.attempts}</td>
                <td class="num">${run.fetched}</td>
                <td class="num written">${run.accepted}</td>
                <td class="num quarantined${run.rejected ? ' has-rejected' : ''}">${run.rejected}</td>
                <td class="run-error">${run.error ? html`<span class="error-text" title="${run.error}">${run.error}</span>` : '—'}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    </div>
  `;
}

/** The quarantined records of the picked run. @param {FeedRun & { rejections?: FeedRejection[] }} run */
function rejectionsOf(run) {
  // as the feed sent them (the hub lists them in the order it quarantined them)
  const rejections = [...(run.rejections ?? [])].sort((a, b) => a.page - b.page || a.recordIndex - b.recordIndex);
  const heading = html`<h3>隔离记录 <span class="hint">运行 #${run.id} · 共 ${run.rejected} 条</span></h3>`;
  if (rejections.length === 0) {
    const why = isFinished(run.status) ? '这次运行没有隔离任何记录。' : '这次运行尚未结束，目前没有隔离记录。';
    return html`${heading}
      <p class="muted" id="feed-rejections-none">${why}</p>`;
  }
  return html`
    ${heading}
    <div class="table-wrap">
      <table class="feed-rejections" id="feed-rejections">
        <thead>
          <tr>
            <th>位置</th>
            <th>记录编号</th>
            <th>字段</th>
            <th>字段值</th>
            <th>原因</th>
          </tr>
        </thead>
        <tbody>
          ${rejections.map(
            (r) => html`
              <tr data-record="${r.page}-${r.recordIndex}">
                <td class="where">第 ${r.page} 页第 ${r.recordIndex + 1} 条</td>
                <td class="ref">${r.ref ?? '—'}</td>
                <td class="field"><code>${r.field ?? '—'}</code></td>
                <td class="field-value">${fieldValue(r)}</td>
                <td class="reason">${r.reason}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    </div>
    ${run.rejected > rejections.length ? html`<p class="muted rejections-note">仅列出前 ${rejections.length} 条。</p>` : null}
  `;
}

/**
 * What the record holds in the field at fault (a dotted path), as sent; "—" when the field names a
 * mapping setting or is missing.
 * @param {FeedRejection} r
 */
function fieldValue(r) {
  if (!r.field) return '—';
  /** @type {unknown} */
  let node = r.raw;
  for (const key of r.field.split('.')) {
    if (node === null || typeof node !== 'object') return '—';
    node = /** @type {Record<string, unknown>} */ (node)[key];
  }
  if (node === undefined) return '—';
  const text = typeof node === 'string' ? node : JSON.stringify(node);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
