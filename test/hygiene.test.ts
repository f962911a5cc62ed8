import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

const post = (url: string, body: string, token: string, contentType = 'application/json') =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${token}` }, body });

describe('GraphQL hygiene', () => {
  let t: TestHub;
  let token: string;
  beforeAll(async () => {
    t = await startTestHub({ env: { HUB_MAX_QUERY_DEPTH: '6', HUB_MAX_QUERY_COST: '5000', HUB_BODY_LIMIT: '2kb' } });
    token = await t.token('BI');
  });
  afterAll(() => t.close());

  it('refuses a query deeper than the limit, fragments included', async () => {
    const deep = `{ plans { projects { indicators { project { indicators { project { number } } } } } } }`;
    const response = await t.gql(token, deep);
    expect(response.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors![0].message).toBe('query is 7 levels deep; the limit is 6');
    const viaFragment = `{ plans { ...p } } fragment p on Plan { projects { indicators { project { indicators { project { number } } } } } }`;
    expect((await t.gql(token, viaFragment)).errors![0].message).toMatch(/7 levels deep/);
    expect((await t.gql(token, '{ plans { projects { indicators { code } } } }')).errors).toBeUndefined();
  });

  it('refuses a query whose list fields multiply past the cost limit', async () => {
    const costly = `{ plans { projects { indicators { code name unit target baseline kind } leadAgencies { code leads { number title } } } } }`;
    const response = await t.gql(token, costly);
    expect(response.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors![0].message).toMatch(/^query cost \d+ is over the limit of 5000/);
    expect(response.data).toBeUndefined();
  });

  it('refuses a body over the size limit with a coded error', async () => {
    const response = await post(t.url, JSON.stringify({ query: `{ plans { code } }`, variables: { pad: 'x'.repeat(4000) } }), token);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: 'request body is over the 2kb limit', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
  });

  it('answers malformed JSON and a missing content type without internals', async () => {
    const malformed = await post(t.url, '{"query": "{ plans', token);
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(await malformed.json())).not.toMatch(/at .*\.js|node_modules|SyntaxError/);
    // CSRF prevention: a simple form post is refused
    const form = await post(t.url, 'query={plans{code}}', token, 'application/x-www-form-urlencoded');
    expect(form.status).toBe(400);
  });

  it('computes at most 31 different dates in one request', async () => {
    const fields = (n: number) =>
      Array.from(
        { length: n },
        (_, i) =>
          // distinct days of January to June: none after the hub's today (2023-07-01)
          `d${i}: progress(asOf: "2023-${String(1 + (i % 6)).padStart(2, '0')}-${String(1 + Math.floor(i / 6)).padStart(2, '0')}") { percent }`,
      ).join(' ');
    expect((await t.gql(token, `{ plan { ${fields(31)} } }`)).errors).toBeUndefined();
    const tooMany = await t.gql(token, `{ plan { ${fields(32)} } }`);
    expect(tooMany.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
  });

  it('never shows stack traces, even for a syntax error', async () => {
    const response = await t.gql(token, '{ plans { ');
    expect(response.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(JSON.stringify(response)).not.toContain('stacktrace');
  });
});

describe('in production', () => {
  it('turns introspection off unless HUB_INTROSPECTION=true', async () => {
    const closed = await startTestHub({ loadPlan: false, env: { NODE_ENV: 'production' } });
    const open = await startTestHub({ loadPlan: false, env: { NODE_ENV: 'production', HUB_INTROSPECTION: 'true' } });
    try {
      const query = '{ __schema { queryType { name } } }';
      const refused = await closed.gql(await closed.token('BI'), query);
      expect(refused.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const allowed = await open.gql(await open.token('BI'), query);
      expect(allowed.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await closed.close();
      await open.close();
    }
  });
});
