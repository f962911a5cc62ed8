import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';

// The explorer at /graphql (src/http/explorer.ts) over plain HTTP; test/explorer.browser.test.ts runs it in Chromium.
const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const openPage = (url: string) => fetch(`${url}/graphql`, { headers: { accept: browserAccept } });

describe('the explorer over HTTP', () => {
  let t: TestHub;
  let production: TestHub;

  beforeAll(async () => {
    // a production hub keeps introspection off unless HUB_INTROSPECTION=true
    [t, production] = await Promise.all([startTestHub(), startTestHub({ loadPlan: false, env: { NODE_ENV: 'production' } })]);
  });
  afterAll(async () => {
    await t?.close();
    await production?.close();
  });

  it('answers a browser opening /graphql with the page, which loads everything from the hub itself', async () => {
    const response = await openPage(t.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    const page = await response.text();
    expect(page).toContain('id="token"');
    expect(page).toContain('data-introspection="on"');
    const sources = [...page.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual([
      'data:,', // no icon: a browser would otherwise ask for /favicon.ico
      '/explorer/vendor/graphiql.min.css',
      '/explorer/explorer.css',
      '/explorer/vendor/react.production.min.js',
      '/explorer/vendor/react-dom.production.min.js',
      '/explorer/vendor/graphiql.min.js',
      '/explorer/explorer.js',
    ]);
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    // no inline script: the policy would refuse it
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('serves GraphiQL, React and its own modules with their content types', async () => {
    const expected: [string, string][] = [
      ['/explorer/vendor/graphiql.min.js', 'text/javascript; charset=utf-8'],
      ['/explorer/vendor/graphiql.min.css', 'text/css; charset=utf-8'],
      ['/explorer/vendor/react.production.min.js', 'text/javascript; charset=utf-8'],
      ['/explorer/vendor/react-dom.production.min.js', 'text/javascript; charset=utf-8'],
      ['/explorer/explorer.js', 'text/javascript; charset=utf-8'],
      ['/explorer/examples.js', 'text/javascript; charset=utf-8'],
      ['/explorer/explorer.css', 'text/css; charset=utf-8'],
    ];
    for (const [path, type] of expected) {
      const response = await fetch(`${t.url}${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, type]);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await response.text()).length).toBeGreaterThan(100);
    }
    // GraphiQL's bundle is the one the hub installed, not a copy that could drift
    expect(await (await fetch(`${t.url}/explorer/vendor/graphiql.min.js`)).text()).toContain('GraphiQL');
    // nothing else from node_modules or the folder: no other file name, no path tricks, no type-checking files
    for (const path of [
      '/explorer/vendor/package.json',
      '/explorer/vendor/..%2F..%2Fpackage.json',
      '/explorer/tsconfig.json',
      '/explorer/index.html',
      '/explorer/',
    ]) {
      expect([path, (await fetch(`${t.url}${path}`)).status]).toEqual([path, 404]);
    }
  });

  it('leaves POST, GET with a query and non-browser GETs to Apollo as before', async () => {
    const token = await t.token('OFFICE');
    expect(await t.gql(token, '{ today }')).toEqual({ status: 200, data: { today: '2023-07-01' } });

    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ today }')}`, {
      headers: { accept: browserAccept, authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await get.json()).toEqual({ data: { today: '2023-07-01' } });

    // curl's Accept (*/*), a JSON client, and no Accept at all: Apollo's answer to a GET without a query
    for (const accept of ['*/*', 'application/json', undefined]) {
      const response = await fetch(`${t.url}/graphql`, { headers: accept ? { accept } : {} });
      expect([accept, response.status]).toEqual([accept, 400]);
      expect(response.headers.get('content-type')).not.toMatch(/html/);
    }
  });

  it('says on the page when introspection is off, and names HUB_INTROSPECTION=true when it refuses a query for the schema', async () => {
    const page = await (await openPage(production.url)).text();
    expect(page).toContain('data-introspection="off"');
    expect(page).toContain('HUB_INTROSPECTION=true');

    const token = await production.token('BI');
    const refused = await production.gql(token, '{ __schema { queryType { name } } }');
    expect(refused.status).toBe(400);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors![0].message).toContain('HUB_INTROSPECTION=true');
    expect(refused.errors![0].message).not.toContain('introspection: true');
    const byType = await production.gql(token, '{ __type(name: "Plan") { name } }');
    expect(byType.errors![0].message).toContain('HUB_INTROSPECTION=true');
    // queries still run
    expect((await production.gql(token, '{ me { role } }')).data).toEqual({ me: { role: 'BI' } });
  });
});
