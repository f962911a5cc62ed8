import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

export const dashboardDir = fileURLToPath(new URL('./dashboard', import.meta.url));

/** The dashboard: static files served by the hub itself (no CDN: these networks have no internet). */
export function mountDashboard(app: Express): void {
  app.get('/', (_req, res) => res.redirect('/dashboard/'));
  app.get('/dashboard', (_req, res) => res.redirect('/dashboard/'));
  app.use('/dashboard', express.static(dashboardDir, { index: 'index.html', maxAge: 0 }));
}
