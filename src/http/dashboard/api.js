// @ts-check
// The GraphQL client: the documents of documents.js, sent with the token the user typed in.
import { ME_QUERY, OVERVIEW_QUERY, PROJECT_QUERY } from './documents.js';

/** @typedef {import('./documents.js').MeData} MeData */
/** @typedef {import('./documents.js').OverviewData} OverviewData */
/** @typedef {import('./documents.js').ProjectData} ProjectData */

const GRAPHQL_URL = new URL('../graphql', window.location.href).toString();

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
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
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
 * Who a token belongs to, and the hub's today.
 * @param {string} token
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
