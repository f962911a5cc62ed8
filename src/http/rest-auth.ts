import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Hub } from '../app.js';
import { authenticate, bearerToken, type Principal, type Role } from '../auth/auth.service.js';
import { forbidden, unauthenticated } from '../shared/errors.js';

/** A person's dashboard session (HttpOnly: scripts never see it). */
export const sessionCookie = 'hub_session';
/** A token typed into the dashboard's login form, for the plain HTTP routes (/admin, /export). */
const tokenCookie = 'hub_token';

/** One cookie of a request, decoded; undefined when absent or malformed (%E0%A4%A is no credential, and no 500). */
export function requestCookie(req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${name}=`));
  if (!cookie) return undefined;
  try {
    return decodeURIComponent(cookie.slice(name.length + 1));
  } catch {
    return undefined;
  }
}

export type Credential = { kind: 'token'; value: string } | { kind: 'session'; value: string };

/**
 * What a request presents: the Authorization header wins (systems), then a person's session cookie,
 * then a token the dashboard's form put in a cookie.
 */
export function requestCredential(req: Request): Credential | undefined {
  const header = bearerToken(req.headers.authorization);
  if (header) return { kind: 'token', value: header };
  const session = requestCookie(req, sessionCookie);
  if (session) return { kind: 'session', value: session };
  const token = requestCookie(req, tokenCookie);
  return token ? { kind: 'token', value: token } : undefined;
}

/** The principal behind a credential; undefined when it is unknown, revoked, ended or expired. */
export function authenticateCredential(hub: Hub, credential: Credential): Promise<Principal | undefined> {
  return credential.kind === 'session' ? hub.users.authenticate(credential.value) : authenticate(hub.db, credential.value, hub.clock);
}

/** Guards a non-GraphQL route with the same tokens, sessions and roles; refusals go to the one REST error handler. */
export function requireTokenRole(hub: Hub, ...roles: Role[]) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const credential = requestCredential(req);
    const principal = credential ? await authenticateCredential(hub, credential) : undefined;
    if (!principal) {
      throw unauthenticated(
        credential?.kind === 'session' ? 'the session has ended: log in again' : 'send an API token: Authorization: Bearer <token>',
      );
    }
    if (!roles.includes(principal.role)) throw forbidden(`this needs a ${roles.join(' or ')} token`);
    res.locals.principal = principal satisfies Principal;
    next();
  };
}
