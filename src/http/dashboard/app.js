// @ts-check
// 民生实事数据中枢 — dashboard. Plain browser ES modules, no build step, no external assets; it reads
// only the public GraphQL API with the token the user types in. This module wires the page together.
import { byId } from './dom.js';
import { isDate, todayLocal } from './format.js';
import { loginMessage, showError } from './messages.js';
import { loadOverview } from './overview.js';
import { selectProject } from './project-detail.js';
import { login, logout, savedToken, showSession } from './session.js';
import { state } from './state.js';
import { applyStatusColours } from './status-view.js';

/**
 * Logs in with a token and opens the dashboard; answers why not, or null.
 * @param {string} token
 */
async function openSession(token) {
  const problem = await login(token);
  if (!problem) {
    showSession();
    void loadOverview();
  }
  return problem;
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
    if (state.token) void loadOverview();
  });

  byId('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = byId('token', HTMLInputElement).value.trim();
    if (!token) return;
    const button = byId('login-button', HTMLButtonElement);
    button.disabled = true;
    loginMessage('');
    try {
      const problem = await openSession(token);
      if (problem) loginMessage(problem);
    } finally {
      button.disabled = false;
    }
  });

  byId('logout').addEventListener('click', () => logout());
  // the ledgers of the date shown, fetched with the session's cookie
  for (const [id, format] of /** @type {const} */ ([
    ['ledger-xlsx', 'xlsx'],
    ['ledger-csv', 'csv'],
  ])) {
    const link = byId(id, HTMLAnchorElement);
    link.addEventListener('click', () => {
      link.href = `../export/ledger.${format}?asOf=${encodeURIComponent(state.asOf)}${format === 'xlsx' ? '&regions=all' : ''}`;
    });
  }

  byId('projects').addEventListener('click', (event) => {
    const row = event.target instanceof Element ? event.target.closest('[data-project]') : null;
    if (row) selectProject(Number(row.getAttribute('data-project')));
  });

  const saved = savedToken();
  if (saved) {
    void openSession(saved).then((problem) => {
      if (problem) logout(problem);
    });
  } else {
    logout();
  }
}

init();
