// @ts-check
// 民生实事数据中枢 — the 大屏 (big screen) at /dashboard/screen: a fixed 1920 × 1080 stage, scaled to the
// display, for a browser where someone of the office or BI is logged in (the session cookie, or a token
// the dashboard keeps for the tab). Figures are read over HTTP; the page follows progressChanged over
// WebSocket and reads them again after each change, with no reload.
import { ApiError, fetchScreen, fetchScreenRegions, messageOf } from './api.js';
import { applySizes } from './charts.js';
import { byId } from './dom.js';
import { render } from './html.js';
import { followProgress } from './screen-live.js';
import { deadlinePanel, overallPanel, projectRows, seedLines, tickerLines } from './screen-panels.js';
import { defaultIndicator, indicatorOptions, indicatorsOf, mapLegend, placeTiles, tiles } from './screen-tiles.js';
import { savedToken } from './session.js';
import { applyStatusColours } from './status-view.js';

/** @typedef {import('./documents.js').ScreenPlan} ScreenPlan */
/** @typedef {import('./documents.js').ScreenRegionsData} ScreenRegionsData */
/** @typedef {import('./documents.js').ProgressChange} ProgressChange */
/** @typedef {import('./screen-panels.js').TickerLine} TickerLine */
/** @typedef {import('./screen-live.js').LiveState} LiveState */

const STAGE = { width: 1920, height: 1080 };
const TICKER_LINES = 8;
// a change of many indicators (a plan load, a feed page) takes three lines, not the whole ticker
const LINES_PER_CHANGE = 3;
const NEW_FOR_MS = 6000;
// the first read failed (the hub restarting): the screen tries again on its own, nobody is at the keyboard
const FIRST_READ_RETRY_MS = 15_000;

const screen = {
  token: savedToken(),
  /** @type {ScreenPlan | null} */
  plan: null,
  today: '',
  indicatorCode: new URLSearchParams(window.location.search).get('indicator') ?? '',
  /** @type {ScreenRegionsData['indicator']} */
  regions: null,
  /**
   * the ticker's lines from the live feed, newest first; each takes the figures of the first read
   * started after it arrived (`after`: the reads started by then)
   * @type {(TickerLine & { arrived: number, after: number })[]}
   */
  live: [],
  readsStarted: 0,
  /** @type {(() => void) | null} */
  stopLive: null,
  /** @type {Promise<void> | null} */
  reading: null,
  /** a change arrived while reading: read once more after */
  readAgain: false,
  regionsSeq: 0,
  /** the indicators the select offers: rebuilt only when they change (an open list would close) */
  options: '',
  signedOut: false,
};

/** "1.2" before "1.10" before "10.1". @param {string} a @param {string} b */
const byCode = (a, b) => {
  const [pa, ia] = a.split('.').map(Number);
  const [pb, ib] = b.split('.').map(Number);
  return pa - pb || ia - ib || a.localeCompare(b);
};

/** @param {string} message an empty one hides the line */
function showError(message) {
  const el = byId('error');
  el.textContent = message;
  el.hidden = !message;
}

/** @param {LiveState} state */
function showLive(state) {
  const el = byId('live');
  el.dataset.live = state;
  byId('live-text').textContent = { connecting: '连接中', connected: '实时', reconnecting: '重连中', closed: '未连接' }[state];
}

/** No session in this browser: a pointer to the dashboard's login instead of figures. */
function showSignIn() {
  screen.signedOut = true;
  screen.stopLive?.();
  screen.stopLive = null;
  showError('');
  byId('screen').hidden = true;
  byId('signin').hidden = false;
}

/** Draws the plan's panels from the last answer. */
function renderPlan() {
  const plan = screen.plan;
  if (!plan) return;
  byId('plan-title').textContent = plan.title;
  byId('plan-doc').textContent = plan.documentNumber;
  byId('as-of').textContent = `数据截至 ${screen.today}`;
  document.title = `${plan.title} · 大屏`;
  const overall = byId('overall-body');
  render(overall, overallPanel(plan, screen.today));
  applySizes(overall);
  const projects = byId('project-rows');
  render(projects, projectRows(plan.projects));
  applySizes(projects);
  render(byId('deadline'), deadlinePanel(plan.reportingRounds, screen.today, plan.timeZone));
  renderTicker();
}

function renderTicker() {
  const plan = screen.plan;
  if (!plan) return;
  const now = Date.now();
  const shown = new Set(screen.live.map((line) => line.code));
  const seeds = seedLines(plan, TICKER_LINES).filter((line) => !shown.has(line.code));
  const lines = [...screen.live, ...seeds].slice(0, TICKER_LINES);
  const list = byId('ticker-list');
  render(list, tickerLines(lines, plan));
  for (const line of screen.live) {
    if (now - line.arrived < NEW_FOR_MS) list.querySelector(`[data-key="${CSS.escape(line.key)}"]`)?.classList.add('tick-new');
  }
}

/** Draws the tile map of the chosen indicator from the last answer. */
function renderMap() {
  const plan = screen.plan;
  const indicator = plan ? indicatorsOf(plan).find((i) => i.code === screen.indicatorCode) : undefined;
  if (!plan || !indicator) return;
  const map = byId('tile-map');
  map.dataset.indicator = indicator.code;
  render(map, tiles(indicator, plan.regions, screen.regions?.code === indicator.code ? screen.regions.byRegion : []));
  placeTiles(map);
  render(byId('map-legend'), mapLegend(indicator));
}

/**
 * The ticker's lines still waiting for figures take those just read, if the read began after them.
 * @param {ScreenPlan} plan
 * @param {number} read the number of the read
 */
function fillTicker(plan, read) {
  const figures = new Map(indicatorsOf(plan).map((i) => [i.code, i.progress]));
  for (const line of screen.live) if (!line.figure && line.after < read) line.figure = figures.get(line.code) ?? null;
}

/** @param {unknown} error */
function readFailed(error) {
  if (error instanceof ApiError && error.status === 401) showSignIn();
  else showError(`数据读取失败：${messageOf(error)}（恢复连接后自动更新）`);
}

/** One read of everything shown: the plan's figures and the chosen indicator's units, together. */
async function readAll() {
  const code = screen.indicatorCode;
  const seq = ++screen.regionsSeq;
  const read = ++screen.readsStarted;
  const [data, regions] = await Promise.all([
    fetchScreen(screen.token),
    code ? fetchScreenRegions(screen.token, { code, planCode: screen.plan?.code ?? null }) : Promise.resolve(null),
  ]);
  if (!data.plan) {
    showError('数据中枢中还没有方案。');
    return;
  }
  screen.plan = data.plan;
  screen.today = data.today;
  fillTicker(data.plan, read);
  const indicators = indicatorsOf(data.plan);
  const known = indicators.some((i) => i.code === screen.indicatorCode);
  if (!known) screen.indicatorCode = defaultIndicator(indicators)?.code ?? '';
  const options = indicators.map((i) => `${i.code} ${i.name}`).join('\n');
  if (options !== screen.options) {
    screen.options = options;
    render(byId('indicator'), indicatorOptions(data.plan, screen.indicatorCode));
  }
  byId('indicator', HTMLSelectElement).value = screen.indicatorCode;
  if (seq === screen.regionsSeq) screen.regions = known && regions ? regions.indicator : null;
  showError('');
  renderPlan();
  renderMap();
  byId('screen').setAttribute('aria-busy', 'false');
  byId('updated').textContent = `更新于 ${new Date().toLocaleTimeString('zh-CN', { hour12: false, timeZone: data.plan.timeZone })}`;
  // the first answer named an indicator only now: its units follow
  if (!known && screen.indicatorCode) await readRegions();
}

/** Reads everything again; changes arriving meanwhile are taken in by one more read after it. */
function refresh() {
  if (screen.signedOut) return Promise.resolve();
  if (screen.reading) {
    screen.readAgain = true;
    return screen.reading;
  }
  screen.reading = (async () => {
    do {
      screen.readAgain = false;
      try {
        await readAll();
      } catch (error) {
        readFailed(error);
        return;
      }
    } while (screen.readAgain && !screen.signedOut);
  })().finally(() => {
    screen.reading = null;
  });
  return screen.reading;
}

/** The chosen indicator's units alone (the select changed). */
async function readRegions() {
  const code = screen.indicatorCode;
  const seq = ++screen.regionsSeq;
  try {
    const data = await fetchScreenRegions(screen.token, { code, planCode: screen.plan?.code ?? null });
    if (seq !== screen.regionsSeq) return;
    screen.regions = data.indicator;
    renderMap();
  } catch (error) {
    readFailed(error);
  }
}

/** A message of the live feed: its lines in the ticker at once, the figures read again. @param {ProgressChange} change */
function onChange(change) {
  const codes = [...change.indicatorCodes].sort(byCode);
  const own = codes.slice(0, LINES_PER_CHANGE);
  const arrived = Date.now();
  const lines = own.map((code, i) => ({
    key: `${change.dataVersion}-${code}`,
    live: true,
    at: change.at,
    code,
    regionCodes: change.regionCodes,
    more: i === own.length - 1 ? codes.length - own.length : 0,
    figure: null,
    arrived,
    after: screen.readsStarted,
  }));
  screen.live = [...lines, ...screen.live].slice(0, TICKER_LINES);
  renderTicker();
  setTimeout(renderTicker, NEW_FOR_MS);
  void refresh();
}

function startLive() {
  if (!screen.plan || screen.stopLive) return;
  screen.stopLive = followProgress({
    planCode: screen.plan.code,
    token: screen.token,
    onChange,
    onState: showLive,
    // messages may have been missed while away, and a refused reconnection may be a session ended: read
    onReconnected: () => void refresh(),
    onClosed: () => void refresh(),
    onFatal: (error) => {
      void refresh().then(() => {
        if (!screen.signedOut) showError(`实时更新已中断：${messageOf(error)}。请刷新页面。`);
      });
    },
  });
}

/** The 1920 × 1080 stage fills the display, keeping its proportions (a 4K screen: twice as large). */
function fitStage() {
  const scale = Math.min(window.innerWidth / STAGE.width, window.innerHeight / STAGE.height);
  const left = (window.innerWidth - STAGE.width * scale) / 2;
  const top = (window.innerHeight - STAGE.height * scale) / 2;
  byId('stage').style.transform = scale === 1 ? '' : `translate(${left}px, ${top}px) scale(${scale})`;
}

async function init() {
  applyStatusColours();
  fitStage();
  window.addEventListener('resize', fitStage);
  const select = byId('indicator', HTMLSelectElement);
  select.addEventListener('change', () => {
    screen.indicatorCode = select.value;
    // the choice stays in the address: a screen reopened shows the same map
    const url = new URL(window.location.href);
    url.searchParams.set('indicator', select.value);
    window.history.replaceState(null, '', url);
    void readRegions();
  });
  await start();
}

/** Reads the figures, then follows their changes; a first read that failed is tried again. */
async function start() {
  await refresh();
  if (screen.plan) startLive();
  else if (!screen.signedOut) setTimeout(() => void start(), FIRST_READ_RETRY_MS);
}

void init();
