// @ts-check
// The GraphQL client: the documents of documents.js, sent with the token the user typed in.
import {
  FEED_RUN_QUERY,
  FEED_RUNS_QUERY,
  FEEDS_QUERY,
  ME_QUERY,
  OVERVIEW_QUERY,
  PROJECT_QUERY,
  RUN_FEED_MUTATION,
  SCREEN_QUERY,
  SCREEN_REGIONS_QUERY,
} from './documents.js';

/** @typedef {import('./documents.js').MeData} MeData */
/** @typedef {import('./documents.js').OverviewData} OverviewData */
/** @typedef {import('./documents.js').ProjectData} ProjectData */
/** @typedef {import('./documents.js').FeedsData} FeedsData */
/** @typedef {import('./documents.js').FeedRunsData} FeedRunsData */
/** @typedef {import('./documents.js').FeedRunData} FeedRunData */
/** @typedef {import('./documents.js').RunFeedData} RunFeedData */
/** @typedef {import('./documents.js').ScreenData} ScreenData */
/** @typedef {import('./documents.js').ScreenRegionsData} ScreenRegionsData */

const GRAPHQL_URL = new URL('../graphql', window.location.href).toString();
const LOGIN_URL = new URL('../auth/login', window.location.href).toString();
const LOGOUT_URL = new URL('../auth/logout', window.location.href).toString();

/** A refused or failed request; status 401 (with code UNAUTHENTICATED) means the token no longer works. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {{ status?: number, code?: string }} [options]
   */
  constructor(message, { status = 0, code = '' } = {}) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @param {unknown} error */
export const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * @param {string} query
 * @param {Record<string, unknown>} variables
 * @param {string | null} token
 * @returns {Promise<unknown>} the answer's data
 */
async function gql(query, variables, token) {
  let response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: 'POST',
      // a token typed in goes as the header; a person's session goes as its HttpOnly cookie
      headers: token ? { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } : { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(`无法连接数据中枢：${messageOf(error)}`);
  }
  /** @type {{ data?: unknown, errors?: { message?: string, extensions?: { code?: string } }[] } | null} */
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

/**
 * Who a token (or, with null, the session cookie) belongs to, and the hub's today.
 * @param {string | null} token
 */
export const fetchMe = (token) => /** @type {Promise<MeData>} */ (gql(ME_QUERY, {}, token));

/**
 * The plan, its projects and reporting rounds as of a day.
 * @param {string | null} token
 * @param {string} asOf
 */
export const fetchOverview = (token, asOf) => /** @type {Promise<OverviewData>} */ (gql(OVERVIEW_QUERY, { asOf }, token));

/**
 * One project with its indicators, series and units as of a day.
 * @param {string | null} token
 * @param {{ number: number, planCode: string | null, asOf: string }} variables
 */
export const fetchProject = (token, variables) => /** @type {Promise<ProjectData>} */ (gql(PROJECT_QUERY, variables, token));

/**
 * The 大屏's figures as of the hub's today.
 * @param {string | null} token
 */
export const fetchScreen = (token) => /** @type {Promise<ScreenData>} */ (gql(SCREEN_QUERY, {}, token));

/**
 * One indicator in every reporting unit, as of the hub's today: the 大屏's tile map.
 * @param {string | null} token
 * @param {{ code: string, planCode: string | null }} variables
 */
export const fetchScreenRegions = (token, variables) =>
  /** @type {Promise<ScreenRegionsData>} */ (gql(SCREEN_REGIONS_QUERY, variables, token));

/**
 * Every feed with its last run (OFFICE).
 * @param {string | null} token
 */
export const fetchFeeds = (token) => /** @type {Promise<FeedsData>} */ (gql(FEEDS_QUERY, {}, token));

/**
 * A feed's last ten runs, newest first.
 * @param {string | null} token
 * @param {string} feedId
 */
export const fetchFeedRuns = (token, feedId) => /** @type {Promise<FeedRunsData>} */ (gql(FEED_RUNS_QUERY, { feedId }, token));

/**
 * One run, with its quarantined records when asked.
 * @param {string | null} token
 * @param {string} id
 * @param {boolean} withRejections
 */
export const fetchFeedRun = (token, id, withRejections) =>
  /** @type {Promise<FeedRunData>} */ (gql(FEED_RUN_QUERY, { id, withRejections }, token));

/**
 * Queues a pull of a feed now; answers its run (QUEUED).
 * @param {string | null} token
 * @param {string} id
 */
export const runFeed = (token, id) => /** @type {Promise<RunFeedData>} */ (gql(RUN_FEED_MUTATION, { id }, token));

/**
 * Opens a person's session: the hub answers with an HttpOnly cookie; 401 wrong name or password,
 * 403 account disabled, 429 too many failures.
 * @param {string} name
 * @param {string} password
 */
export async function startSession(name, password) {
  let response;
  try {
    response = await fetch(LOGIN_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(`无法连接数据中枢：${messageOf(error)}`);
  }
  if (response.ok) return;
  /** @type {{ errors?: { message?: string, extensions?: { code?: string } }[] } | null} */
  const body = await response.json().catch(() => null);
  const first = body?.errors?.[0];
  throw new ApiError(first?.message ?? `登录失败（HTTP ${response.status}）`, {
    status: response.status,
    code: first?.extensions?.code ?? '',
  });
}

/** Ends the person's session on the hub. */
export async function endSession() {
  await fetch(LOGOUT_URL, { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
}
