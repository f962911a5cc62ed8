import express, { type Express, type Request, type Response } from 'express';
import type { Hub } from '../app.js';
import { badInput } from '../shared/errors.js';
import { requestCookie, sessionCookie } from './rest-auth.js';
import { downloadPolicy, securityHeaders } from './security-headers.js';

/**
 * The cookie of a person's session: HttpOnly (no script reads it), SameSite=Strict (no other site's
 * page sends it), for the whole hub, expiring with the session; Secure when the request came over HTTPS.
 */
function cookieHeader(req: Request, value: string, maxAgeSeconds: number): string {
  return [
    `${sessionCookie}=${encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(req.secure ? ['Secure'] : []),
  ].join('; ');
}

const text = (body: unknown, field: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string' || value === '') throw badInput(field, 'required');
  return value;
};

/**
 * POST /auth/login `{ "name", "password" }` → the session cookie and `{ name, role, expiresAt }`;
 * POST /auth/logout ends it. JSON only: a cross-site form cannot post JSON without asking first.
 */
export function mountLogin(app: Express, hub: Hub): void {
  app.use('/auth', securityHeaders(downloadPolicy));
  app.post('/auth/login', express.json({ limit: '4kb', type: 'application/json' }), async (req: Request, res: Response) => {
    if (!req.is('application/json')) throw badInput('body', 'send JSON (Content-Type: application/json)');
    const name = text(req.body, 'name');
    const password = text(req.body, 'password');
    const session = await hub.users.login(name, password, req.ip ?? 'unknown');
    const seconds = Math.round((session.expiresAt.getTime() - hub.clock.now().getTime()) / 1000);
    res.set('Set-Cookie', cookieHeader(req, session.token, seconds));
    res.set('Cache-Control', 'no-store');
    res.json({ name: session.user.name, role: session.user.role, expiresAt: session.expiresAt.toISOString() });
  });
  app.post('/auth/logout', async (req: Request, res: Response) => {
    const token = requestCookie(req, sessionCookie);
    if (token) await hub.users.logout(token);
    res.set('Set-Cookie', cookieHeader(req, '', 0));
    res.status(204).end();
  });
}
