import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request } from 'express';
import type { Hub } from '../app.js';
import { explorerPolicy, securityHeaders } from './security-headers.js';

const explorerDir = fileURLToPath(new URL('./explorer', import.meta.url));

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** GraphiQL and the React it runs on, from node_modules: the page loads nothing from a CDN. */
const vendorFiles = new Map([
  ['react.production.min.js', join(packageDir('react'), 'umd/react.production.min.js')],
  ['react-dom.production.min.js', join(packageDir('react-dom'), 'umd/react-dom.production.min.js')],
  ['graphiql.min.js', join(packageDir('graphiql'), 'graphiql.min.js')],
  ['graphiql.min.css', join(packageDir('graphiql'), 'graphiql.min.css')],
]);

/** A browser opening /graphql: a GET that prefers HTML to JSON and carries no operation in its URL. */
function wantsExplorer(req: Request): boolean {
  return (
    req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html'
  );
}

/**
 * The GraphQL explorer (GraphiQL) at /graphql for a browser; every other request to /graphql goes on to
 * Apollo as before. The page says when introspection is off, since its docs panel then stays empty.
 */
export function mountExplorer(app: Express, hub: Hub): void {
  const page = readFileSync(join(explorerDir, 'index.html'), 'utf8').replace(
    'data-introspection="on"',
    `data-introspection="${hub.config.introspection ? 'on' : 'off'}"`,
  );
  const headers = securityHeaders(explorerPolicy);

  app.get(
    '/graphql',
    (req, _res, next) => next(wantsExplorer(req) ? undefined : 'route'),
    headers,
    (_req, res) => {
      res.type('html').set('Cache-Control', 'no-cache').send(page);
    },
  );

  app.use('/explorer', headers);
  app.get('/explorer', (req, res, next) => (req.originalUrl.split('?')[0] === '/explorer' ? res.redirect('/graphql') : next()));
  app.get('/explorer/vendor/:file', (req, res, next) => {
    const file = vendorFiles.get(req.params.file);
    if (file) res.sendFile(file, { maxAge: 0 });
    else next();
  });
  // the page's own modules and styles; its markup is served at /graphql, its type-checking files stay here
  app.use('/explorer', (req, res, next) => (/^\/[\w-]+\.(js|css)$/.test(req.path) ? next() : res.status(404).end()));
  app.use('/explorer', express.static(explorerDir, { index: false, maxAge: 0 }));
}
