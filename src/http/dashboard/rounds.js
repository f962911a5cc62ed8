// @ts-check
// The reporting rounds (进展报送): who has reported in the next round, and who was late in past ones.
import { byId } from './dom.js';
import { fmtInstant } from './format.js';
import { html, render } from './html.js';

/** @typedef {import('./documents.js').ReportingRound} ReportingRound */
/** @typedef {import('./documents.js').RoundSubmission} RoundSubmission */

/** "市人社局 · 1. 创业担保贷款": one lead agency and project of a round. @param {RoundSubmission} s */
const pair = (s) => `${s.agency.name} · ${s.project.number}. ${s.project.title}`;

/**
 * @param {ReportingRound[]} rounds
 * @param {string} asOf
 * @param {string} timeZone the plan's: deadlines and submissions are shown in its wall time
 */
export function renderRounds(rounds, asOf, timeZone) {
  const sorted = [...rounds].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
  const next = sorted.find((r) => r.dueOn >= asOf) ?? sorted[sorted.length - 1];
  render(
    byId('next-round'),
    next
      ? nextRound(next, asOf, timeZone)
      : html`<h2>下一轮进展报送</h2>
          <p class="muted">本方案没有报送轮次。</p>`,
  );

  const past = sorted.filter((r) => r.dueOn < asOf);
  render(
    byId('late'),
    html`
      <h2>逾期单位</h2>
      ${past.length === 0 ? html`<p class="muted">截至 ${asOf} 尚无到期的报送轮次。</p>` : past.map((round) => lateRound(round, timeZone))}
    `,
  );
}

/**
 * The round due next (after the last one, the last): who has reported and who not yet.
 * @param {ReportingRound} round
 * @param {string} asOf
 * @param {string} timeZone
 */
function nextRound(round, asOf, timeZone) {
  const done = round.submissions.filter((s) => s.submittedAt);
  const missing = round.submissions.filter((s) => !s.submittedAt);
  const isPast = round.dueOn < asOf;
  return html`
    <h2>${isPast ? '最近一轮进展报送' : '下一轮进展报送'}</h2>
    <div class="round-head" data-round="${round.id}">
      <strong>${round.title}</strong>
      <span>报送日：${round.dueOn}</span>
      <span>截止：${fmtInstant(round.deadline, timeZone)}</span>
    </div>
    <div class="round-lists">
      <div>
        <h3>已报送（${done.length}）</h3>
        ${
          done.length
            ? html`
                <ul class="pairs" id="reported">
                  ${done.map(
                    (s) => html`
                      <li data-pair="${s.agency.code}-${s.project.number}">
                        ${pair(s)}<span class="muted"> ${fmtInstant(s.submittedAt, timeZone)}</span> ${
                          s.onTime ? html`<span class="tag tag-ok">按时</span>` : html`<span class="tag tag-late">逾期</span>`
                        }
                      </li>
                    `,
                  )}
                </ul>
              `
            : html`<p class="muted">尚无单位报送。</p>`
        }
      </div>
      <div>
        <h3>未报送（${missing.length}）</h3>
        ${
          missing.length
            ? html`
                <ul class="pairs" id="not-reported">
                  ${missing.map((s) => html`<li data-pair="${s.agency.code}-${s.project.number}">${pair(s)}</li>`)}
                </ul>
              `
            : html`<p class="muted">全部已报送。</p>`
        }
      </div>
    </div>
  `;
}

/**
 * A past round's late and missing reports.
 * @param {ReportingRound} round
 * @param {string} timeZone
 */
function lateRound(round, timeZone) {
  const late = round.submissions.filter((s) => s.onTime !== true);
  return html`
    <div class="late-round" data-round="${round.id}">
      <h3>${round.title} <span class="muted">报送日 ${round.dueOn}</span> <span class="count">${late.length} 项</span></h3>
      ${
        late.length
          ? html`
              <table class="late-table">
                <thead>
                  <tr>
                    <th>单位</th>
                    <th>项目</th>
                    <th>情况</th>
                  </tr>
                </thead>
                <tbody>
                  ${late.map(
                    (s) => html`
                      <tr data-late="${s.agency.code}-${s.project.number}">
                        <td>${s.agency.name}</td>
                        <td>${s.project.number}. ${s.project.title}</td>
                        <td>
                          ${
                            s.onTime === false
                              ? html`<span class="tag tag-late">逾期报送</span>
                                  <span class="muted">${fmtInstant(s.submittedAt, timeZone)}</span>`
                              : html`<span class="tag tag-missing">未报送</span>`
                          }
                        </td>
                      </tr>
                    `,
                  )}
                </tbody>
              </table>
            `
          : html`<p class="muted">全部按时报送。</p>`
      }
    </div>
  `;
}
