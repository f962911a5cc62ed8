// @ts-check
// Logging in and out. People log in with a name and password: the hub sets an HttpOnly session
// cookie no script here can read. Systems' tokens still work: kept in sessionStorage, with a cookie
// for the plain links (queue admin UI, ledger downloads). A session ended or a token revoked: 401.
import { ApiError, endSession, fetchMe, messageOf, startSession } from './api.js';
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
 * Checks who is logged in with `me` (a token, or null: the session cookie) and opens the dashboard's
 * state for them; answers an error message, or null when they may use the dashboard.
 * @param {string | null} token
 * @returns {Promise<string | null>}
 */
async function begin(token) {
  let data;
  try {
    data = await fetchMe(token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      return token ? `令牌无效或已撤销（${error.message}）` : '登录已失效，请重新登录。';
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
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    if (me.role === 'OFFICE') setAdminCookie(token);
    else clearAdminCookie();
  }
  return null;
}

/**
 * Logs in with an API token (systems' administrators).
 * @param {string} token
 */
export const login = (token) => begin(token);

/**
 * Logs a person in with their name and password; answers an error message, or null.
 * @param {string} name
 * @param {string} password
 * @returns {Promise<string | null>}
 */
export async function loginWithPassword(name, password) {
  try {
    await startSession(name, password);
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status === 401) return '用户名或密码错误。';
      if (error.status === 403) return '该账号已停用，请联系领导小组办公室。';
      if (error.status === 429) return '登录失败次数过多，请 15 分钟后再试。';
    }
    return `登录失败：${messageOf(error)}`;
  }
  // a token typed earlier in this tab gives way to the person
  sessionStorage.removeItem(TOKEN_KEY);
  clearAdminCookie();
  return begin(null);
}

/** A session cookie from an earlier visit still open: answers true when it logged the page in. */
export async function resumeSession() {
  return (await begin(null)) === null;
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
  byId('who').textContent = `${roleLabel(me.role)}${me.userName ? ` · ${me.userName}` : me.label ? ` · ${me.label}` : ''}`;
  byId('admin-link').hidden = me.role !== 'OFFICE';
}

/** Forgets the token and shows the login form, with a message saying why when there is one. */
export function logout(message = '') {
  // a person's session ends on the hub too (the cookie is HttpOnly: only the hub can clear it)
  if (state.me && !state.token) void endSession().catch(() => undefined);
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
  byId('token', HTMLInputElement).value = '';
  byId('password', HTMLInputElement).value = '';
  loginMessage(message);
  byId('user-name', HTMLInputElement).focus();
}

/** A failed request: a token revoked meanwhile logs out; anything else shows in the banner. @param {unknown} error */
export function handleError(error) {
  if (error instanceof ApiError && error.status === 401) {
    logout(`登录已失效：${error.message}。请重新登录。`);
    return;
  }
  showError(`出错了：${messageOf(error)}`);
}
