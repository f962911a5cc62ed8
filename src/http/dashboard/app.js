// @ts-check
// 民生实事数据中枢 — dashboard. Plain browser ES modules, no build step, no external assets; it reads
// only the public GraphQL API with the token the user types in. This module wires the page together.
import { byId } from './dom.js';
import { isDate, todayLocal } from './format.js';
import { loginMessage, showError } from './messages.js';
import { loadOverview } from './overview.js';
import { selectProject } from './project-detail.js';
import { login, loginWithPassword, logout, resumeSession, savedToken, showSession } from './session.js';
import { state } from './state.js';
import { applyStatusColours } from './status-view.js';
import { initViews, showViews } from './views.js';

/**
 * Logs in (a token, or a name and password) and opens the dashboard; answers why not, or null.
 * @param {() => Promise<string | null>} attempt
 */
async function openSession(attempt) {
  const problem = await attempt();
  if (!problem) {
    showSession();
    showViews();
    void loadOverview();
  }
  return problem;
}

/**
 * A login form's submit: its button is off while the hub answers, the answer's problem under the form.
 * @param {string} formId
 * @param {string} buttonId
 * @param {() => (() => Promise<string | null>) | null} attemptOf what to try, or null when a field is empty
 */
function onLoginSubmit(formId, buttonId, attemptOf) {
  byId(formId).addEventListener('submit', async (event) => {
    event.preventDefault();
    const attempt = attemptOf();
    if (!attempt) return;
    const button = byId(buttonId, HTMLButtonElement);
    button.disabled = true;
    loginMessage('');
    try {
      const problem = await openSession(attempt);
      if (problem) loginMessage(problem);
    } finally {
      button.disabled = false;
    }
  });
}

function init() {
  applyStatusColours();
  const asOfInput = byId('asOf', HTMLInputElement);
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
    if (state.me) void loadOverview();
  });

  onLoginSubmit('password-form', 'password-button', () => {
    const name = byId('user-name', HTMLInputElement).value.trim();
    const password = byId('password', HTMLInputElement).value;
    return name && password ? () => loginWithPassword(name, password) : null;
  });
  onLoginSubmit('login-form', 'login-button', () => {
    const token = byId('token', HTMLInputElement).value.trim();
    return token ? () => login(token) : null;
  });

  byId('logout').addEventListener('click', () => logout());
  // the ledgers and the bulletin of the date shown, fetched with the session's cookie
  for (const [id, file] of /** @type {const} */ ([
    ['ledger-xlsx', 'ledger.xlsx'],
    ['ledger-csv', 'ledger.csv'],
    ['bulletin-pdf', 'bulletin.pdf'],
    ['bulletin-docx', 'bulletin.docx'],
  ])) {
    const link = byId(id, HTMLAnchorElement);
    link.addEventListener('click', () => {
      link.href = `../export/${file}?asOf=${encodeURIComponent(state.asOf)}${file === 'ledger.xlsx' ? '&regions=all' : ''}`;
    });
  }

  initViews();
  byId('projects').addEventListener('click', (event) => {
    const row = event.target instanceof Element ? event.target.closest('[data-project]') : null;
    if (row) selectProject(Number(row.getAttribute('data-project')));
  });

  const saved = savedToken();
  if (saved) {
    void openSession(() => login(saved)).then((problem) => {
      if (problem) logout(problem);
    });
  } else {
    // a session cookie from an earlier visit logs the page in without asking again
    void resumeSession().then((resumed) => {
      if (resumed) {
        showSession();
        showViews();
        void loadOverview();
      } else logout();
    });
  }
}

init();
