import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

export const dashboardDir = fileURLToPath(new URL('./dashboard', import.meta.url));

/** The dashboard: static files served by the hub itself (no CDN: these networks have no internet). */
export function mountDashboard(app: Express): void {
  app.get('/', (_req, res) => res.redirect('/dashboard/'));
  // Express 5 matches '/dashboard' for '/dashboard/' too: redirect only the bare path
  app.get('/dashboard', (req, res, next) => (req.originalUrl.split('?')[0] === '/dashboard' ? res.redirect(301, '/dashboard/') : next()));
  app.use('/dashboard', express.static(dashboardDir, { index: 'index.html', maxAge: 0 }));
}
