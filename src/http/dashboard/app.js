// 民生实事数据中枢 — dashboard. Plain browser JavaScript (ES module), no build step, no external assets.
// It reads only the public GraphQL API with the token the user types in.

// The one table of status labels and colours (generated from src/progress/status.ts, shared with the
// ledger): { ACHIEVED: { zh, en, colour, fill }, …, NOT_SCORED: { … } }.
import { STATUS } from './status.js';

const TOKEN_KEY = 'hub.dashboard.token';
const GRAPHQL_URL = new URL('../graphql', window.location.href).toString();

/** Statuses that judge a figure: only these are coloured. NO_DATA is grey; NOT_SCORED has no colour at all. */
const SCORED = new Set(['ACHIEVED', 'ON_TRACK', 'LAGGING', 'BEHIND']);
/** CSS custom properties set from the shared table (style.css keeps the same values as fallbacks). */
const STATUS_CSS = {
  ACHIEVED: 'achieved',
  ON_TRACK: 'on-track',
  LAGGING: 'lagging',
  BEHIND: 'behind',
  NO_DATA: 'no-data',
  NOT_SCORED: 'not-scored',
};
const REPORTED_BY_LABEL = { REGIONS: '县区报送', CITY: '市本级报送', BOTH: '市、县均报送' };
const KIND_LABEL = {
  TARGET: '目标',
  THRESHOLD: '比率',
  LEVEL: '标准',
  MILESTONE: '里程碑',
  TRACKED: '跟踪',
};
const ROLE_LABEL = { OFFICE: '领导小组办公室', BI: '只读分析（BI）', AGENCY: '单位' };

const ME_QUERY = /* GraphQL */ `
  {
    today
    me {
      role
      label
      agency {
        code
        name
      }
    }
  }
`;

// One request for everything but the opened project.
const OVERVIEW_QUERY = /* GraphQL */ `
  query Overview($asOf: Date) {
    today
    plan {
      code
      title
      documentNumber
      periodStart
      periodEnd
      timeZone
      progress(asOf: $asOf) {
        percent
        expectedPercent
        status
        partsWithData
        parts
      }
      regions {
        code
        name
        level
      }
      projects {
        number
        title
        leadAgencies {
          code
          name
        }
        progress(asOf: $asOf) {
          percent
          expectedPercent
          status
          partsWithData
          parts
        }
      }
      reportingRounds {
        id
        title
        dueOn
        deadline
        submissions {
          agency {
            code
            name
          }
          project {
            number
            title
          }
          submittedAt
          onTime
        }
      }
    }
  }
`;

// One request per opened project.
const PROJECT_QUERY = /* GraphQL */ `
  query Project($number: Int!, $planCode: String, $asOf: Date) {
    project(number: $number, planCode: $planCode) {
      number
      title
      summary
      leadAgencies {
        code
        name
      }
      responsibleAgencies {
        code
        name
      }
      progress(asOf: $asOf) {
        percent
        expectedPercent
        status
        partsWithData
        parts
      }
      indicators {
        code
        name
        unit
        kind
        target
        baseline
        direction
        reportedBy
        regionTargets {
          regionCode
          target
        }
        stages {
          code
        }
        progress(asOf: $asOf) {
          value
          percent
          expectedPercent
          status
          lastObservedOn
        }
        series(to: $asOf) {
          date
          value
        }
        byRegion(asOf: $asOf) {
          region {
            code
            name
            level
          }
          progress {
            value
            percent
            shareOfCity
            status
          }
        }
      }
    }
  }
`;

const state = {
  token: null,
  me: null,
  asOf: '',
  /** the hub's today: the latest date the hub answers for (the date picker's max) */
  today: '',
  /** the person picked a date: the hub's "today" no longer replaces it */
  asOfChosen: false,
  overview: null,
  selected: null,
  overviewSeq: 0,
  detailSeq: 0,
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// helpers

/** Escapes text for HTML (element content and quoted attribute values). */
function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s);

function todayLocal() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "84.29%", or "—" without a percent. */
const fmtPercent = (p) => (p === null || p === undefined ? '—' : `${Number(p).toFixed(2)}%`);
const fmtValue = (v) => (v === null || v === undefined ? '—' : String(v));
/** An ISO instant as wall time in the plan's time zone: "2023-06-28 23:59". */
function fmtInstant(s) {
  if (!s) return '—';
  const at = new Date(s);
  if (Number.isNaN(at.getTime())) return String(s);
  try {
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone: state.overview?.timeZone || 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
    return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
  } catch {
    return String(s).slice(0, 16).replace('T', ' ');
  }
}
const barWidth = (p) => Math.max(0, Math.min(Number(p) || 0, 100));
const statusOf = (s) => (Object.hasOwn(STATUS, s) ? s : 'NO_DATA');
const statusText = (s) => STATUS[statusOf(s)]?.zh ?? String(s);
/** "3/5 项指标有数据": how many of a roll-up's scored parts the figure rests on. */
const partsText = (p, noun) => `${p.partsWithData ?? 0}/${p.parts ?? 0} ${noun}有数据`;

/** Takes the colours of the shared status table into the style sheet's custom properties. */
function applyStatusColours() {
  const root = document.documentElement.style;
  for (const [status, name] of Object.entries(STATUS_CSS)) {
    const entry = STATUS[status];
    if (!entry) continue;
    if (/^#[0-9a-f]{3,8}$/i.test(entry.colour ?? '')) root.setProperty(`--${name}`, entry.colour);
    if (/^#[0-9a-f]{3,8}$/i.test(entry.fill ?? '')) root.setProperty(`--${name}-bg`, entry.fill);
  }
}

function statusBadge(status) {
  const s = statusOf(status);
  return `<span class="badge status-${s}" title="${esc(STATUS[s]?.en ?? s)}">${esc(statusText(s))}</span>`;
}

/**
 * A progress bar: fill to min(percent, 100), a marker at the expected (time-elapsed) share. A figure
 * that is not judged (NOT_SCORED) or has nothing reported (NO_DATA) gets no bar: an empty track would
 * read as 0 % done.
 */
function bar(percent, expected, status, big = false, note = '') {
  const s = statusOf(status);
  if (!SCORED.has(s) || percent === null || percent === undefined) {
    const text = note || (s === 'NOT_SCORED' ? '不评价' : '尚无数据');
    return `<span class="bar-none bar-none-${s}${big ? ' bar-big' : ''}">${esc(text)}</span>`;
  }
  const marker =
    expected === null || expected === undefined
      ? ''
      : `<span class="bar-expected" data-left="${barWidth(expected)}" title="序时进度 ${esc(fmtPercent(expected))}"></span>`;
  return `<span class="bar${big ? ' bar-big' : ''}"><span class="bar-fill fill-${s}" data-width="${barWidth(percent)}"></span>${marker}</span>`;
}

/** Sizes bars after rendering (no inline style attributes, so a strict CSP would not break them). */
function applySizes(root) {
  for (const el of root.querySelectorAll('[data-width]')) el.style.width = `${el.dataset.width}%`;
  for (const el of root.querySelectorAll('[data-left]')) el.style.left = `${el.dataset.left}%`;
}

const dayNumber = (date) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

/** A small step line of the values as of each day with data, from the plan start to asOf. */
function sparkline(series, status, periodStart, asOf) {
  const points = (series ?? [])
    .map((p) => ({ x: dayNumber(p.date), y: Number(p.value), date: p.date, value: p.value }))
    .filter((p) => Number.isFinite(p.y));
  if (points.length === 0) return '<span class="muted">—</span>';
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
  const sx = (x) => pad + ((x - x0) / (x1 - x0)) * (w - 2 * pad);
  const sy = (y) => h - pad - ((y - lo) / (hi - lo)) * (h - 2 * pad);
  let d = `M${sx(points[0].x).toFixed(1)},${sy(points[0].y).toFixed(1)}`;
  for (let i = 1; i < points.length; i++) d += ` H${sx(points[i].x).toFixed(1)} V${sy(points[i].y).toFixed(1)}`;
  d += ` H${sx(x1).toFixed(1)}`;
  const last = points[points.length - 1];
  const title = points
    .map((p) => `${p.date}: ${p.value}`)
    .slice(-12)
    .join('\n');
  return (
    `<svg class="spark stroke-${statusOf(status)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="走势">` +
    `<title>${esc(title)}</title>` +
    `<line class="spark-axis" x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}"></line>` +
    `<path d="${d}"></path>` +
    `<circle cx="${sx(last.x).toFixed(1)}" cy="${sy(last.y).toFixed(1)}" r="2.2"></circle>` +
    `</svg>`
  );
}

// ---------------------------------------------------------------------------------------------
// the API

class ApiError extends Error {
  constructor(message, { status = 0, code = '' } = {}) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function gql(query, variables = {}, token = state.token) {
  let response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(`无法连接数据中枢：${error.message}`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const first = body && Array.isArray(body.errors) && body.errors.length > 0 ? body.errors[0] : null;
  const code = first?.extensions?.code ?? '';
  if (response.status === 401 || code === 'UNAUTHENTICATED') {
    throw new ApiError(first?.message ?? '令牌无效', { status: 401, code: 'UNAUTHENTICATED' });
  }
  if (first) throw new ApiError(first.message || '请求失败', { status: response.status, code });
  if (!response.ok || !body || !body.data) throw new ApiError(`请求失败（HTTP ${response.status}）`, { status: response.status });
  return body.data;
}

// ---------------------------------------------------------------------------------------------
// messages

function showError(message) {
  const el = $('error');
  el.textContent = message;
  el.hidden = !message;
}

function handleError(error) {
  if (error instanceof ApiError && error.status === 401) {
    logout(`登录已失效：${error.message}。请重新登录。`);
    return;
  }
  showError(`出错了：${error.message}`);
}

function loginMessage(message) {
  const el = $('login-message');
  el.textContent = message;
  el.hidden = !message;
}

// ---------------------------------------------------------------------------------------------
// session

function setAdminCookie(token) {
  document.cookie = `hub_token=${encodeURIComponent(token)}; path=/admin; SameSite=Strict`;
}
function clearAdminCookie() {
  document.cookie = 'hub_token=; path=/admin; max-age=0; SameSite=Strict';
}

/** Checks a token with `me`; answers an error message, or null when it may use the dashboard. */
async function login(token) {
  let data;
  try {
    data = await gql(ME_QUERY, {}, token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return `令牌无效或已撤销（${error.message}）`;
    return `登录失败：${error.message}`;
  }
  const me = data.me;
  if (me.role !== 'OFFICE' && me.role !== 'BI') {
    const who = me.agency ? `${me.agency.name}（${me.agency.code}）` : me.role;
    return `该令牌是单位令牌：${who}。仪表盘仅供领导小组办公室（OFFICE）和只读分析（BI）令牌使用；单位系统请通过接口报送数据。`;
  }
  state.token = token;
  state.me = me;
  // the hub's today (the replayed day in a demo), not the browser's; the hub answers no later date
  if (isDate(data.today)) {
    setToday(data.today);
    if (!state.asOfChosen || state.asOf > data.today) {
      state.asOf = data.today;
      $('asOf').value = data.today;
    }
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  if (me.role === 'OFFICE') setAdminCookie(token);
  else clearAdminCookie();
  enterDashboard();
  return null;
}

/** The hub's today bounds the date picker: figures "as of" a later day are refused by the hub. */
function setToday(today) {
  state.today = today;
  $('asOf').max = today;
}

function logout(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  clearAdminCookie();
  state.token = null;
  state.me = null;
  state.overview = null;
  state.selected = null;
  state.overviewSeq++;
  state.detailSeq++;
  showError('');
  $('dashboard').hidden = true;
  $('session').hidden = true;
  $('plan-heading').hidden = true;
  $('project-detail').hidden = true;
  $('project-detail').innerHTML = '';
  $('projects').innerHTML = '';
  $('login').hidden = false;
  $('token').value = '';
  loginMessage(message);
  $('token').focus();
}

function enterDashboard() {
  $('login').hidden = true;
  loginMessage('');
  $('dashboard').hidden = false;
  $('session').hidden = false;
  $('who').textContent = `${ROLE_LABEL[state.me.role] ?? state.me.role}${state.me.label ? ` · ${state.me.label}` : ''}`;
  $('admin-link').hidden = state.me.role !== 'OFFICE';
  loadOverview();
}

// ---------------------------------------------------------------------------------------------
// overview

async function loadOverview() {
  const seq = ++state.overviewSeq;
  const asOf = state.asOf;
  $('overall').setAttribute('aria-busy', 'true');
  try {
    const data = await gql(OVERVIEW_QUERY, { asOf });
    if (seq !== state.overviewSeq) return;
    showError('');
    if (isDate(data.today)) setToday(data.today);
    if (!data.plan) {
      $('overall-body').textContent = '数据中枢中还没有方案。';
      return;
    }
    state.overview = data.plan;
    renderOverview(data.plan, asOf);
    $('dashboard').dataset.asOf = asOf;
    if (state.selected !== null) loadProject(state.selected);
  } catch (error) {
    if (seq === state.overviewSeq) handleError(error);
  } finally {
    if (seq === state.overviewSeq) $('overall').setAttribute('aria-busy', 'false');
  }
}

function renderOverview(plan, asOf) {
  $('plan-heading').hidden = false;
  $('plan-title').textContent = plan.title;
  $('plan-doc').textContent = plan.documentNumber;
  $('plan-period').textContent = `${plan.periodStart} 至 ${plan.periodEnd}`;
  document.title = `${plan.title} · 民生实事数据中枢`;

  const p = plan.progress;
  const ps = statusOf(p.status);
  const overall = $('overall-body');
  overall.className = '';
  overall.innerHTML =
    `<div class="overall-figures">` +
    `<span class="overall-text">完成 <strong id="overall-percent">${esc(SCORED.has(ps) ? fmtPercent(p.percent) : '—')}</strong>` +
    ` · 序时进度 <strong id="overall-expected">${esc(fmtPercent(p.expectedPercent))}</strong></span>` +
    statusBadge(ps) +
    `<span class="parts-note" id="overall-parts" title="仅有跟踪指标的项目不评价，不计入；尚无数据的项目按 0 计入总体进度">${esc(partsText(p, '个项目'))}</span>` +
    `<span class="muted asof-note">截至 ${esc(asOf)}</span>` +
    `</div>` +
    bar(p.percent, p.expectedPercent, ps, true) +
    `<div class="bar-scale"><span>0%</span><span>序时进度线：计划期已过 ${esc(fmtPercent(p.expectedPercent))}</span><span>100%</span></div>` +
    `<p class="rule-note muted">总体进度为各计分项目的平均；项目进度为其计分指标的加权平均，单项封顶 100%，未报送数据的指标按 0 计（未报即未见进展）。</p>`;
  applySizes(overall);

  $('legend').innerHTML =
    Object.keys(STATUS)
      .map((s) => `<span class="legend-item"><span class="swatch fill-${esc(s)}"></span>${esc(statusText(s))}</span>`)
      .join('') + '<span class="legend-item"><span class="swatch swatch-expected"></span>序时进度</span>';

  const projects = $('projects');
  projects.innerHTML = plan.projects
    .map((project) => {
      const pr = project.progress;
      const s = statusOf(pr.status);
      const leads = project.leadAgencies.map((a) => a.name).join('、');
      const selected = state.selected === project.number;
      const note = s === 'NOT_SCORED' ? '仅跟踪指标：列数值，不评价，不计入总体进度' : s === 'NO_DATA' ? '尚无数据：总体进度中按 0 计' : '';
      const parts = pr.parts ? partsText(pr, '项指标') : '仅跟踪指标';
      return (
        `<button type="button" class="project-row status-row-${s}${selected ? ' selected' : ''}" data-project="${esc(project.number)}" data-status="${s}" aria-pressed="${selected}">` +
        `<span class="project-number">${esc(project.number)}</span>` +
        `<span class="project-title"><span class="title">${esc(project.title)}</span>` +
        `<span class="leads">牵头：${esc(leads || '—')}</span></span>` +
        `<span class="project-bar">${bar(pr.percent, pr.expectedPercent, s, false, note)}</span>` +
        `<span class="percent">${esc(SCORED.has(s) ? fmtPercent(pr.percent) : '—')}</span>` +
        `<span class="project-status">${statusBadge(s)}` +
        `<span class="parts${pr.parts && (pr.partsWithData ?? 0) < pr.parts ? ' parts-partial' : ''}">${esc(parts)}</span></span>` +
        `</button>`
      );
    })
    .join('');
  applySizes(projects);

  renderRounds(plan.reportingRounds, asOf);
}

function renderRounds(rounds, asOf) {
  const sorted = [...rounds].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
  const next = sorted.find((r) => r.dueOn >= asOf) ?? sorted[sorted.length - 1];
  const pair = (s) => `${s.agency.name} · ${s.project.number}. ${s.project.title}`;

  const nextEl = $('next-round');
  if (!next) {
    nextEl.innerHTML = '<h2>下一轮进展报送</h2><p class="muted">本方案没有报送轮次。</p>';
  } else {
    const done = next.submissions.filter((s) => s.submittedAt);
    const missing = next.submissions.filter((s) => !s.submittedAt);
    const isPast = next.dueOn < asOf;
    nextEl.innerHTML =
      `<h2>${isPast ? '最近一轮进展报送' : '下一轮进展报送'}</h2>` +
      `<div class="round-head" data-round="${esc(next.id)}"><strong>${esc(next.title)}</strong>` +
      `<span>报送日：${esc(next.dueOn)}</span><span>截止：${esc(fmtInstant(next.deadline))}</span></div>` +
      `<div class="round-lists">` +
      `<div><h3>已报送（${done.length}）</h3>` +
      (done.length
        ? `<ul class="pairs" id="reported">${done
            .map(
              (s) =>
                `<li data-pair="${esc(s.agency.code)}-${esc(s.project.number)}">${esc(pair(s))}` +
                `<span class="muted"> ${esc(fmtInstant(s.submittedAt))}</span> ${s.onTime ? '<span class="tag tag-ok">按时</span>' : '<span class="tag tag-late">逾期</span>'}</li>`,
            )
            .join('')}</ul>`
        : '<p class="muted">尚无单位报送。</p>') +
      `</div><div><h3>未报送（${missing.length}）</h3>` +
      (missing.length
        ? `<ul class="pairs" id="not-reported">${missing
            .map((s) => `<li data-pair="${esc(s.agency.code)}-${esc(s.project.number)}">${esc(pair(s))}</li>`)
            .join('')}</ul>`
        : '<p class="muted">全部已报送。</p>') +
      `</div></div>`;
  }

  const past = sorted.filter((r) => r.dueOn < asOf);
  const lateEl = $('late');
  let html = '<h2>逾期单位</h2>';
  if (past.length === 0) {
    html += `<p class="muted">截至 ${esc(asOf)} 尚无到期的报送轮次。</p>`;
  } else {
    for (const round of past) {
      const late = round.submissions.filter((s) => s.onTime !== true);
      html +=
        `<div class="late-round" data-round="${esc(round.id)}">` +
        `<h3>${esc(round.title)} <span class="muted">报送日 ${esc(round.dueOn)}</span> <span class="count">${late.length} 项</span></h3>`;
      html += late.length
        ? `<table class="late-table"><thead><tr><th>单位</th><th>项目</th><th>情况</th></tr></thead><tbody>${late
            .map(
              (s) =>
                `<tr data-late="${esc(s.agency.code)}-${esc(s.project.number)}"><td>${esc(s.agency.name)}</td>` +
                `<td>${esc(s.project.number)}. ${esc(s.project.title)}</td>` +
                `<td>${
                  s.onTime === false
                    ? `<span class="tag tag-late">逾期报送</span> <span class="muted">${esc(fmtInstant(s.submittedAt))}</span>`
                    : '<span class="tag tag-missing">未报送</span>'
                }</td></tr>`,
            )
            .join('')}</tbody></table>`
        : '<p class="muted">全部按时报送。</p>';
      html += '</div>';
    }
  }
  lateEl.innerHTML = html;
}

// ---------------------------------------------------------------------------------------------
// one project

function selectProject(number) {
  state.selected = number;
  for (const row of document.querySelectorAll('.project-row')) {
    const on = Number(row.dataset.project) === number;
    row.classList.toggle('selected', on);
    row.setAttribute('aria-pressed', String(on));
  }
  const panel = $('project-detail');
  panel.hidden = false;
  panel.setAttribute('aria-busy', 'true');
  loadProject(number);
}

async function loadProject(number) {
  const seq = ++state.detailSeq;
  const asOf = state.asOf;
  const planCode = state.overview?.code ?? null;
  try {
    const data = await gql(PROJECT_QUERY, { number, planCode, asOf });
    if (seq !== state.detailSeq) return;
    const panel = $('project-detail');
    if (!data.project) {
      panel.innerHTML = `<p class="muted">没有第 ${esc(number)} 项实事。</p>`;
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

/** The level an indicator is reported at does not include this unit (e.g. a county standard at 市本级). */
function notReportedAt(indicator, region) {
  if (!region?.level) return false;
  if (indicator.reportedBy === 'REGIONS') return region.level === 'CITY';
  if (indicator.reportedBy === 'CITY') return region.level !== 'CITY';
  return false;
}

/**
 * One cell of the region table. A scored figure (a decomposed target, a standard, a bound, or the
 * 全市 figure) is coloured by its status and shows its percent; a unit that is not scored against
 * anything shows its value and its share of the 全市 value (占全市), with no colour at all.
 */
function regionCell(indicator, region, g, { isCity = false, regionTarget = null } = {}) {
  const code = esc(indicator.code);
  if (!isCity && notReportedAt(indicator, region) && (g?.value === null || g?.value === undefined)) {
    const where = indicator.reportedBy === 'CITY' ? '只由市本级报送' : '由县（市、区）报送，市本级不报送';
    return `<td class="num cell-na" data-indicator="${code}" data-status="NA" title="${esc(`${indicator.code} ${indicator.name}：${where}`)}">·</td>`;
  }
  const s = statusOf(g?.status);
  const scored = SCORED.has(s);
  const cls = scored ? `cell-${s}` : s === 'NO_DATA' ? 'cell-NO_DATA' : 'cell-unscored';
  let sub = '';
  if (scored && g?.percent !== null && g?.percent !== undefined) sub = fmtPercent(g.percent);
  else if (!scored && !isCity && g?.shareOfCity !== null && g?.shareOfCity !== undefined) sub = `占全市 ${fmtPercent(g.shareOfCity)}`;
  const title = [
    `${indicator.code} ${indicator.name}`,
    `${isCity ? '全市' : region.name}：${fmtValue(g?.value)} ${indicator.unit}`,
    regionTarget !== null ? `分解目标 ${regionTarget}` : '',
    g?.percent !== null && g?.percent !== undefined ? `完成 ${fmtPercent(g.percent)}` : '',
    !isCity && g?.shareOfCity !== null && g?.shareOfCity !== undefined ? `占全市 ${fmtPercent(g.shareOfCity)}` : '',
    statusText(s),
  ]
    .filter(Boolean)
    .join('；');
  return (
    `<td class="num ${cls}" data-indicator="${code}" data-status="${s}" title="${esc(title)}">` +
    `<span class="cell-value">${esc(fmtValue(g?.value))}</span>` +
    (sub ? `<span class="cell-sub">${esc(sub)}</span>` : '') +
    `</td>`
  );
}

function renderProject(project, asOf) {
  const plan = state.overview;
  const pr = project.progress;
  const ps = statusOf(pr.status);
  const leads = project.leadAgencies.map((a) => a.name).join('、') || '—';
  const resp = project.responsibleAgencies.map((a) => a.name).join('、');

  const rows = project.indicators
    .map((ind) => {
      const g = ind.progress;
      const s = statusOf(g.status);
      const scored = s !== 'NOT_SCORED';
      const decomposed = (ind.regionTargets ?? []).length > 0;
      return (
        `<tr data-indicator="${esc(ind.code)}" data-status="${s}">` +
        `<td class="code">${esc(ind.code)}</td>` +
        `<td class="name">${esc(ind.name)} <span class="kind">${esc(KIND_LABEL[ind.kind] ?? ind.kind)}</span>` +
        (ind.reportedBy ? ` <span class="kind level">${esc(REPORTED_BY_LABEL[ind.reportedBy] ?? ind.reportedBy)}</span>` : '') +
        (decomposed ? ` <span class="kind decomposed" title="任务已分解到各地，各地按自身目标评价">任务分解</span>` : '') +
        `</td>` +
        `<td class="num value">${esc(fmtValue(g.value))}</td>` +
        `<td class="num target">${esc(targetText(ind))}</td>` +
        `<td class="unit">${esc(ind.unit)}</td>` +
        `<td class="num ind-percent">${esc(scored ? fmtPercent(g.percent) : '—')}</td>` +
        `<td class="num expected">${esc(scored ? fmtPercent(g.expectedPercent) : '—')}</td>` +
        `<td>${statusBadge(s)}</td>` +
        `<td class="spark-cell">${sparkline(ind.series, s, plan?.periodStart ?? asOf, asOf)}</td>` +
        `</tr>`
      );
    })
    .join('');

  // the reporting units in the hub's order (市本级 first, then the counties and zones)
  const known = new Map((plan?.regions ?? []).map((r) => [r.code, r]));
  const units = [];
  const seen = new Set();
  for (const ind of project.indicators) {
    for (const row of ind.byRegion) {
      if (seen.has(row.region.code)) continue;
      seen.add(row.region.code);
      units.push({ ...known.get(row.region.code), ...row.region });
    }
  }
  for (const region of plan?.regions ?? []) if (!seen.has(region.code)) units.push(region);

  const byIndicator = new Map(project.indicators.map((ind) => [ind.code, new Map(ind.byRegion.map((r) => [r.region.code, r.progress]))]));
  const targetsOf = new Map(
    project.indicators.map((ind) => [ind.code, new Map((ind.regionTargets ?? []).map((t) => [t.regionCode, t.target]))]),
  );
  const cityRow =
    `<tr data-region="ALL" class="city-total"><th scope="row">全市 <span class="muted">各单位合计</span></th>` +
    project.indicators.map((ind) => regionCell(ind, null, ind.progress, { isCity: true })).join('') +
    `</tr>`;
  const unitRows = units
    .map(
      (region) =>
        `<tr data-region="${esc(region.code)}"${region.level === 'CITY' ? ' class="city-unit"' : ''}><th scope="row">${esc(region.name)} <span class="muted">${esc(region.code)}</span></th>` +
        project.indicators
          .map((ind) =>
            regionCell(ind, region, byIndicator.get(ind.code)?.get(region.code), {
              regionTarget: targetsOf.get(ind.code)?.get(region.code) ?? null,
            }),
          )
          .join('') +
        `</tr>`,
    )
    .join('');

  let progressLine;
  if (ps === 'NOT_SCORED') {
    progressLine =
      `<div class="detail-progress">${statusBadge(ps)}` +
      ` <span class="muted">本项目只有跟踪指标（文件未设定量目标）：下表列出其数值，不评价，不计入总体进度。</span></div>`;
  } else {
    progressLine =
      `<div class="detail-progress">完成 <strong>${esc(SCORED.has(ps) ? fmtPercent(pr.percent) : '—')}</strong> · 序时进度 ${esc(fmtPercent(pr.expectedPercent))} ${statusBadge(ps)}` +
      ` <span class="parts-note" id="detail-parts">${esc(partsText(pr, '项计分指标'))}</span>` +
      ` <span class="muted">（跟踪指标不计分；单项封顶 100%；无数据的指标按 0 计）</span></div>`;
  }

  const panel = $('project-detail');
  panel.innerHTML =
    `<div class="detail-head">` +
    `<h2><span class="project-number">${esc(project.number)}</span> ${esc(project.title)}</h2>` +
    `<button type="button" class="btn btn-light" id="close-detail">收起</button></div>` +
    `<p class="agencies">牵头单位：${esc(leads)}${resp ? `　责任单位：${esc(resp)}` : ''}</p>` +
    (project.summary ? `<p class="summary">${esc(project.summary)}</p>` : '') +
    progressLine +
    `<h3>指标（截至 ${esc(asOf)}）</h3>` +
    `<div class="table-wrap"><table class="indicators"><thead><tr>` +
    `<th>编号</th><th>指标</th><th class="num">当前值</th><th class="num">目标</th><th>单位</th><th class="num">完成</th><th class="num">序时</th><th>状态</th><th>走势</th>` +
    `</tr></thead><tbody>${rows}</tbody></table></div>` +
    `<h3>分区域</h3>` +
    `<p class="region-note muted">全市为各报送单位（含市本级）合计。任务未分解到各地的指标，各单位只列数值和占全市比重，不评价、不着色；` +
    `任务已分解的指标（标“分解”）按各地自身目标评价；标准和比率类指标各单位按同一标准评价。“·”：该指标不在此层级报送。</p>` +
    `<div class="table-wrap"><table class="regions" id="region-table"><thead><tr><th>区域</th>` +
    project.indicators
      .map(
        (ind) =>
          `<th class="num" data-indicator="${esc(ind.code)}" title="${esc(ind.name)}">${esc(ind.code)}` +
          ((ind.regionTargets ?? []).length > 0 ? '<span class="decomposed-head">分解</span>' : '') +
          `<span class="unit-head">${esc(ind.unit)}</span></th>`,
      )
      .join('') +
    `</tr></thead><tbody>${cityRow}${unitRows}</tbody></table></div>`;
  $('close-detail').addEventListener('click', () => {
    state.selected = null;
    state.detailSeq++;
    panel.hidden = true;
    panel.innerHTML = '';
    for (const row of document.querySelectorAll('.project-row')) {
      row.classList.remove('selected');
      row.setAttribute('aria-pressed', 'false');
    }
  });
}

// ---------------------------------------------------------------------------------------------
// start

function init() {
  applyStatusColours();
  const asOfInput = $('asOf');
  state.asOf = todayLocal();
  asOfInput.value = state.asOf;
  asOfInput.addEventListener('change', () => {
    const value = asOfInput.value;
    if (!isDate(value) || value === state.asOf) return;
    if (state.today && value > state.today) {
      // the hub refuses figures as of a day that has not come yet
      asOfInput.value = state.asOf;
      showError(`数据截至日期不能晚于今天（${state.today}）。`);
      return;
    }
    state.asOf = value;
    state.asOfChosen = true;
    if (state.token) loadOverview();
  });

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    const button = $('login-button');
    button.disabled = true;
    loginMessage('');
    try {
      const problem = await login(token);
      if (problem) loginMessage(problem);
    } finally {
      button.disabled = false;
    }
  });

  $('logout').addEventListener('click', () => logout());

  $('projects').addEventListener('click', (event) => {
    const row = event.target instanceof Element ? event.target.closest('[data-project]') : null;
    if (row) selectProject(Number(row.dataset.project));
  });

  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    login(saved).then((problem) => {
      if (problem) logout(problem);
    });
  } else {
    logout();
  }
}

init();
