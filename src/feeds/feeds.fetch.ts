import { parse as parseCsv } from 'csv-parse/sync';
import type { FeedFormat } from '../../drizzle/schema/feeds.js';
import { assertTargetAllowed, TargetRefusedError, type TargetPolicy } from '../shared/targets.js';
import type { Incremental, Pagination } from './feeds.config.js';
import { pathGet } from './feeds.mapping.js';

/** What a fetch needs of a feed. */
export interface FetchableFeed {
  url: string;
  format: FeedFormat;
  recordsPath: string | null;
  graphqlQuery: string | null;
  graphqlVariables: Record<string, unknown> | null;
  authHeaderName: string | null;
  authHeaderValue: string | null;
  pagination: Pagination;
  incremental: Incremental | null;
  timeoutMs: number;
  maxBytes: number;
  /** CSV: columns the mapping reads; a header without them is a wrong feed, not bad records */
  requiredColumns: string[];
}

/** Where the next page starts. Kept with the run, so a retry resumes there. */
export interface PageState {
  page: number;
  cursor: string | null;
  nextUrl: string | null;
  /** the last page is written: a retry of the run has nothing left to fetch */
  done?: boolean;
}

export interface FetchedPage {
  records: unknown[];
  /** undefined: this was the last page */
  next: PageState | undefined;
}

/** A feed answered with something the hub cannot use: the run fails, nothing of the page is written. */
export class FeedFetchError extends Error {
  override name = 'FeedFetchError';
}

export function firstPage(pagination: Pagination): PageState {
  return { page: pagination.type === 'PAGE' ? pagination.firstPage : 1, cursor: null, nextUrl: null };
}

function requestFor(feed: FetchableFeed, state: PageState, position: string | null): { url: string; init: RequestInit } {
  const headers: Record<string, string> = { accept: feed.format === 'CSV' ? 'text/csv' : 'application/json' };
  if (feed.authHeaderName && feed.authHeaderValue) headers[feed.authHeaderName] = feed.authHeaderValue;
  const p = feed.pagination;
  if (feed.format === 'GRAPHQL') {
    const variables: Record<string, unknown> = { ...(feed.graphqlVariables ?? {}) };
    if (p.type === 'CURSOR') variables[p.cursorParam] = state.cursor;
    if (p.type === 'PAGE') Object.assign(variables, { [p.pageParam]: state.page, [p.sizeParam]: p.pageSize });
    if (feed.incremental && position !== null) variables[feed.incremental.param] = position;
    headers['content-type'] = 'application/json';
    return { url: feed.url, init: { method: 'POST', headers, body: JSON.stringify({ query: feed.graphqlQuery, variables }) } };
  }
  const url = new URL(state.nextUrl ?? feed.url);
  if (!state.nextUrl) {
    if (p.type === 'PAGE') {
      url.searchParams.set(p.pageParam, String(state.page));
      url.searchParams.set(p.sizeParam, String(p.pageSize));
    }
    if (p.type === 'CURSOR' && state.cursor !== null) url.searchParams.set(p.cursorParam, state.cursor);
    if (feed.incremental && position !== null) url.searchParams.set(feed.incremental.param, position);
  }
  return { url: url.toString(), init: { method: 'GET', headers } };
}

/** Reads a body up to `maxBytes`: a larger response is cut off and fails the run. */
async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (declared > maxBytes) throw new FeedFetchError(`response of ${declared} bytes is over the ${maxBytes}-byte limit`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FeedFetchError(`response is over the ${maxBytes}-byte limit; cut off`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The content type of a response, without parameters, for messages: `text/html`, or `no content type`. */
const typeOf = (response: Response) => (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase() || 'no content type';
const isJsonType = (type: string) => /^application\/(.+\+)?json$/.test(type);

/**
 * Fetches and parses one page. Throws FeedFetchError for anything but a clean page of records.
 * A feed's answer that is not the JSON (or CSV) asked for is described by its status and content
 * type only: the hub never shows what some other server on its network says.
 */
export async function fetchPage(
  feed: FetchableFeed,
  state: PageState,
  position: string | null,
  targets: TargetPolicy,
): Promise<FetchedPage> {
  const { url, init } = requestFor(feed, state, position);
  let response: Response;
  try {
    response = await fetchOnOneServer(url, init, feed.timeoutMs, targets);
  } catch (error) {
    if (error instanceof FeedFetchError) throw error;
    if (error instanceof TargetRefusedError) throw new FeedFetchError(`not fetched: ${error.message}`);
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${feed.timeoutMs} ms` : (error as Error).message;
    throw new FeedFetchError(`fetch failed: ${reason}`);
  }
  let body: string;
  try {
    body = await readLimited(response, feed.maxBytes);
  } catch (error) {
    if (error instanceof FeedFetchError) throw error;
    const reason = (error as Error).name === 'TimeoutError' ? `no complete answer within ${feed.timeoutMs} ms` : (error as Error).message;
    throw new FeedFetchError(`reading the response failed: ${reason}`);
  }
  const contentType = typeOf(response);
  if (!response.ok) throw new FeedFetchError(`HTTP ${response.status} from the feed${isJsonType(contentType) ? '' : ` (${contentType})`}`);
  const expected = feed.format === 'CSV' ? 'CSV' : 'JSON';
  if (contentType === 'text/html' || /^\s*<(!doctype|html)/i.test(body)) {
    throw new FeedFetchError(`expected ${expected}, got an HTML page (${contentType}, HTTP ${response.status})`);
  }
  return feed.format === 'CSV' ? parseCsvPage(feed, state, body) : parseJsonPage(feed, state, body, url, contentType);
}

const maxRedirects = 5;

/**
 * Follows redirects only on the feed's own server: the auth header is never sent elsewhere, and a
 * redirect cannot take the hub to another host.
 */
async function fetchOnOneServer(url: string, init: RequestInit, timeoutMs: number, targets: TargetPolicy): Promise<Response> {
  const signal = AbortSignal.timeout(timeoutMs);
  let target = url;
  for (let hop = 0; ; hop += 1) {
    // checked at every hop, after resolving the name: a feed cannot lead the hub to loopback
    await assertTargetAllowed(target, targets);
    const response = await fetch(target, { ...init, redirect: 'manual', signal });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return response;
    await response.arrayBuffer().catch(() => undefined);
    const next = new URL(location, target);
    if (next.origin !== new URL(url).origin)
      throw new FeedFetchError(`the feed redirected to another server (${next.origin}); not followed`);
    if (hop >= maxRedirects) throw new FeedFetchError(`more than ${maxRedirects} redirects`);
    // a 303 (and historically 301/302 after a POST) turns into a GET without a body
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && init.method === 'POST')) {
      init = { ...init, method: 'GET', body: undefined };
    }
    target = next.toString();
  }
}

function parseCsvPage(feed: FetchableFeed, state: PageState, body: string): FetchedPage {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv<Record<string, string>>(body.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    // csv-parse quotes the offending text in its messages: only its code and line are shown
    const { code, lines } = error as { code?: string; lines?: number };
    throw new FeedFetchError(`malformed CSV${code ? ` (${code}${lines ? ` at line ${lines}` : ''})` : ''}`);
  }
  const header = body
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]
    .split(',')
    .map((h) => h.trim().replace(/^"|"$/g, ''));
  const missing = feed.requiredColumns.filter((c) => !header.includes(c));
  // the missing names come from the feed's mapping; the header itself is the server's and is not shown
  if (missing.length > 0) throw new FeedFetchError(`CSV header lacks ${missing.join(', ')} (it has ${header.length} columns)`);
  const p = feed.pagination;
  const next = p.type === 'PAGE' && rows.length >= p.pageSize ? { page: state.page + 1, cursor: null, nextUrl: null } : undefined;
  return { records: rows, next };
}

function parseJsonPage(feed: FetchableFeed, state: PageState, body: string, url: string, contentType: string): FetchedPage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    // JSON.parse quotes the text it choked on: only the position is shown
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new FeedFetchError(
      isJsonType(contentType)
        ? `malformed JSON${position ? ` at position ${position}` : ''} (${contentType}, ${body.length} characters)`
        : `expected JSON, got ${contentType} that is not JSON`,
    );
  }
  if (feed.format === 'GRAPHQL') {
    const errors = pathGet(json, 'errors');
    if (Array.isArray(errors) && errors.length > 0 && !pathGet(json, 'data')) {
      throw new FeedFetchError(`the feed's GraphQL endpoint answered an error: ${String(pathGet(errors[0], 'message')).slice(0, 200)}`);
    }
  }
  const records = feed.recordsPath ? pathGet(json, feed.recordsPath) : json;
  if (!Array.isArray(records)) throw new FeedFetchError(`no list of records at "${feed.recordsPath ?? '(top level)'}"`);

  const p = feed.pagination;
  let next: PageState | undefined;
  if (p.type === 'PAGE') {
    next = records.length >= p.pageSize ? { page: state.page + 1, cursor: null, nextUrl: null } : undefined;
  } else if (p.type === 'CURSOR') {
    const cursor = pathGet(json, p.cursorPath);
    const hasMore = p.hasMorePath ? pathGet(json, p.hasMorePath) === true : true;
    const usable = (typeof cursor === 'string' && cursor !== '') || typeof cursor === 'number';
    if (usable && hasMore && records.length > 0) {
      if (String(cursor) === state.cursor) throw new FeedFetchError(`the feed repeated cursor ${String(cursor)}`);
      next = { page: state.page + 1, cursor: String(cursor), nextUrl: null };
    }
  } else if (p.type === 'NEXT_LINK') {
    const link = pathGet(json, p.nextLinkPath);
    if (typeof link === 'string' && link !== '') {
      const resolved = new URL(link, url).toString();
      if (resolved === url) throw new FeedFetchError('the feed linked a page to itself');
      // a feed's next link stays on the feed's own server
      if (new URL(resolved).origin !== new URL(feed.url).origin)
        throw new FeedFetchError(`the next link leaves the feed's server: ${resolved}`);
      next = { page: state.page + 1, cursor: null, nextUrl: resolved };
    }
  }
  return { records, next };
}
