// @ts-check
// Logging in and out: the token in sessionStorage, the queue admin UI's cookie, a revoked token (401).
import { ApiError, fetchMe, messageOf } from './api.js';
import { byId } from './dom.js';
import { isDate, roleLabel } from './format.js';
import { html, render } from './html.js';
import { loginMessage, showError } from './messages.js';
import { state } from './state.js';

const TOKEN_KEY = 'hub.dashboard.token';

/** The token the session started with, if the page was reloaded. */
export const savedToken = () => sessionStorage.getItem(TOKEN_KEY);

// the pages a plain link opens with the session's token: the queue admin UI and the ledger downloads
const cookiePaths = ['/admin', '/export'];

/** @param {string} token */
function setAdminCookie(token) {
  for (const path of cookiePaths) document.cookie = `hub_token=${encodeURIComponent(token)}; path=${path}; SameSite=Strict`;
}
function clearAdminCookie() {
  for (const path of cookiePaths) document.cookie = `hub_token=; path=${path}; max-age=0; SameSite=Strict`;
}

/**
 * Checks a token with `me` and keeps it; answers an error message, or null when it may use the dashboard.
 * @param {string} token
 * @returns {Promise<string | null>}
 */
export async function login(token) {
  let data;
  try {
    data = await fetchMe(token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return `令牌无效或已撤销（${error.message}）`;
    return `登录失败：${messageOf(error)}`;
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
      byId('asOf', HTMLInputElement).value = data.today;
    }
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  if (me.role === 'OFFICE') setAdminCookie(token);
  else clearAdminCookie();
  return null;
}

/**
 * The hub's today bounds the date picker: figures "as of" a later day are refused by the hub.
 * @param {string} today
 */
export function setToday(today) {
  state.today = today;
  byId('asOf', HTMLInputElement).max = today;
}

/** Shows the dashboard's frame for the logged-in token (the panels load apart). */
export function showSession() {
  const me = state.me;
  if (!me) return;
  byId('login').hidden = true;
  loginMessage('');
  byId('dashboard').hidden = false;
  byId('session').hidden = false;
  byId('who').textContent = `${roleLabel(me.role)}${me.label ? ` · ${me.label}` : ''}`;
  byId('admin-link').hidden = me.role !== 'OFFICE';
}

/** Forgets the token and shows the login form, with a message saying why when there is one. */
export function logout(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  clearAdminCookie();
  state.token = null;
  state.me = null;
  state.overview = null;
  state.selected = null;
  state.overviewSeq++;
  state.detailSeq++;
  showError('');
  byId('dashboard').hidden = true;
  byId('session').hidden = true;
  byId('plan-heading').hidden = true;
  byId('project-detail').hidden = true;
  render(byId('project-detail'), html``);
  render(byId('projects'), html``);
  byId('login').hidden = false;
  const token = byId('token', HTMLInputElement);
  token.value = '';
  loginMessage(message);
  token.focus();
}

/** A failed request: a token revoked meanwhile logs out; anything else shows in the banner. @param {unknown} error */
export function handleError(error) {
  if (error instanceof ApiError && error.status === 401) {
    logout(`登录已失效：${error.message}。请重新登录。`);
    return;
  }
  showError(`出错了：${messageOf(error)}`);
}
