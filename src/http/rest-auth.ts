import type { NextFunction, Request, Response } from 'express';
import type { Hub } from '../app.js';
import { authenticate, bearerToken, type Principal, type Role } from '../auth/auth.service.js';
import { forbidden, unauthenticated } from '../shared/errors.js';

/** The token of a plain HTTP request: the Authorization header, or the dashboard's `hub_token` cookie. */
export function requestToken(req: Request): string | undefined {
  const fromHeader = bearerToken(req.headers.authorization);
  if (fromHeader) return fromHeader;
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith('hub_token='));
  if (!cookie) return undefined;
  try {
    return decodeURIComponent(cookie.slice('hub_token='.length));
  } catch {
    // a malformed cookie (%E0%A4%A) is no token: the caller is told to send one, never a 500
    return undefined;
  }
}

/** Guards a non-GraphQL route with the same tokens and roles; refusals go to the one REST error handler. */
export function requireTokenRole(hub: Hub, ...roles: Role[]) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = requestToken(req);
    const principal = token ? await authenticate(hub.db, token, hub.clock) : undefined;
    if (!principal) throw unauthenticated('send an API token: Authorization: Bearer <token>');
    if (!roles.includes(principal.role)) throw forbidden(`this needs a ${roles.join(' or ')} token`);
    res.locals.principal = principal satisfies Principal;
    next();
  };
}
