// @ts-check
// The GraphQL explorer at /graphql: GraphiQL from the hub's own files. The token field becomes the
// Authorization header of every request; a tab's headers editor can still set its own.
import { exampleTabs, newTabQuery } from './examples.js';

/**
 * The UMD builds index.html loads before this module (served from node_modules by src/http/explorer.ts).
 * @type {{
 *   React: { createElement(type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]): unknown },
 *   ReactDOM: { createRoot(container: Element): { render(element: unknown): void } },
 *   GraphiQL: { Logo: unknown },
 * }}
 */
const { React, ReactDOM, GraphiQL } = /** @type {any} */ (window);

/**
 * @typedef {(
 *   params: { query: string, operationName?: string | null, variables?: unknown },
 *   options?: { headers?: Record<string, unknown> },
 * ) => Promise<unknown>} GraphiQLFetcher
 */

const TOKEN_KEY = 'hub.explorer.token';
const endpoint = '/graphql';

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const tokenInput = /** @type {HTMLInputElement} */ (byId('token'));
const tokenStatus = byId('token-status');
// the server writes "off" here when HUB_INTROSPECTION is off: asking for the schema would only be refused
const introspection = document.documentElement.dataset.introspection !== 'off';

/**
 * @param {string} token
 * @returns {GraphiQLFetcher}
 */
function createFetcher(token) {
  return async (params, options) => {
    /** @type {Record<string, string>} */
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    // the headers editor wins over the token field: one tab can try another token
    for (const [name, value] of Object.entries(options?.headers ?? {})) headers[name.toLowerCase()] = String(value);
    const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params) });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
    }
  };
}

const root = ReactDOM.createRoot(byId('graphiql'));
let current = /** @type {string | undefined} */ (undefined);
/** a person logged in to the dashboard in this browser: their session cookie goes with every request */
let sessionUser = '';

/** The name of the person whose session cookie this browser holds, or '' (none, or it ended). */
async function probeSession() {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ me { userName } }' }),
    });
    /** @type {{ data?: { me?: { userName?: string | null } } }} */
    const body = await response.json();
    return body.data?.me?.userName ?? '';
  } catch {
    return '';
  }
}

/** Renders GraphiQL with a fetcher for this token: a new fetcher makes it load the schema again. */
function applyToken(/** @type {string} */ token) {
  if (token === current) return;
  current = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  render(token);
}

function render(/** @type {string} */ token) {
  const signedIn = Boolean(token || sessionUser);
  tokenStatus.textContent = token
    ? '令牌已设置 token set'
    : sessionUser
      ? `已登录：${sessionUser}（会话 session）`
      : '请输入令牌 enter a token';
  root.render(
    React.createElement(
      GraphiQL,
      {
        fetcher: createFetcher(token),
        defaultTabs: exampleTabs,
        defaultQuery: newTabQuery,
        // null: no introspection, where the hub refuses it or would answer 401 for want of a token
        schema: introspection && signedIn ? undefined : null,
        defaultEditorToolsVisibility: true,
        shouldPersistHeaders: false,
        defaultTheme: 'light',
      },
      // the logo links to github.com by default, out of reach of these networks
      React.createElement(GraphiQL.Logo, null, 'GraphiQL'),
    ),
  );
}

byId('introspection-off').hidden = introspection;
tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  applyToken(tokenInput.value.trim());
});
tokenInput.addEventListener('change', () => applyToken(tokenInput.value.trim()));
byId('token-clear').addEventListener('click', () => {
  tokenInput.value = '';
  applyToken('');
  tokenInput.focus();
});
applyToken(tokenInput.value.trim());
// without a token, a dashboard session of this browser may already open the docs
void probeSession().then((name) => {
  sessionUser = name;
  if (name && !current) render('');
});
