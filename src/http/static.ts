import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { statusModuleSource } from '../progress/status.js';
import { dashboardPolicy, securityHeaders } from './security-headers.js';

export const dashboardDir = fileURLToPath(new URL('./dashboard', import.meta.url));

// graphql-ws's own browser client (no dependencies) for the 大屏's subscription: its dist/ modules
const graphqlWsDir = join(dirname(createRequire(import.meta.url).resolve('graphql-ws/package.json')), 'dist');
const graphqlWsModules = new Set(readdirSync(graphqlWsDir).filter((name) => name.endsWith('.js')));

/** The dashboard: static files served by the hub itself (no CDN: these networks have no internet). */
export function mountDashboard(app: Express): void {
  app.use('/dashboard', securityHeaders(dashboardPolicy));
  app.get('/', (_req, res) => res.redirect('/dashboard/'));
  // Express 5 matches '/dashboard' for '/dashboard/' too: redirect only the bare path
  app.get('/dashboard', (req, res, next) => (req.originalUrl.split('?')[0] === '/dashboard' ? res.redirect(301, '/dashboard/') : next()));
  // the status labels the ledger uses too, from the one table in src/progress/status.ts
  const statusModule = statusModuleSource();
  app.get('/dashboard/status.js', (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(statusModule);
  });
  app.get('/dashboard/vendor/graphql-ws/:file', (req, res, next) =>
    graphqlWsModules.has(req.params.file) ? res.sendFile(join(graphqlWsDir, req.params.file), { maxAge: 0 }) : next(),
  );
  // the 大屏 (big screen); at /dashboard/screen/ its relative URLs (./screen.js, ../graphql) would miss
  app.get('/dashboard/screen', (req, res) => {
    const [path, query] = req.originalUrl.split('?');
    if (path !== '/dashboard/screen') res.redirect(301, `/dashboard/screen${query === undefined ? '' : `?${query}`}`);
    else res.set('Cache-Control', 'no-cache').sendFile(join(dashboardDir, 'screen.html'));
  });
  // the page's modules, styles and markup; its type-checking files stay on the server
  app.use('/dashboard', (req, res, next) => (/\.(d\.ts|json)$/.test(req.path) ? res.status(404).end() : next()));
  app.use('/dashboard', express.static(dashboardDir, { index: 'index.html', maxAge: 0 }));
}
