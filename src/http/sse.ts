import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import type { Hub } from '../app.js';
import type { Principal } from '../auth/auth.service.js';
import { AppError, ErrorCode, unauthenticated } from '../shared/errors.js';
import { formatLiveErrors, subscriptionArgs, type LiveConnection, type LiveConnections } from './live-connections.js';
import { requestCredential } from './rest-auth.js';

/**
 * The same subscriptions as Server-Sent Events, for clients that cannot open a WebSocket (a proxy
 * that drops upgrades): `POST /graphql/stream` with `Accept: text/event-stream` and the usual
 * `{ query, variables }`, authenticated like any HTTP request (the Authorization header, or a
 * person's session cookie); the graphql-sse library's distinct-connections mode, one subscription a
 * request. Same limits per token as the WebSocket, and closed when the token is revoked.
 */
export function mountEventStream(app: Express, hub: Hub, schema: GraphQLSchema, connections: LiveConnections): void {
  const handler = createHandler({
    schema,
    // no "single connection mode": each request carries its own subscription
    authenticate: () => null,
    onSubscribe(req, params) {
      const principal = (req.context.res.locals as { livePrincipal: Principal }).livePrincipal;
      const args = subscriptionArgs(hub, schema, principal, {
        query: typeof params.query === 'string' ? params.query : '',
        operationName: params.operationName,
        variables: params.variables,
      });
      // graphql-sse types the context as a plain record; ours is the HubContext every resolver gets
      if (!Array.isArray(args)) return args as typeof args & { contextValue: Record<string, unknown> };
      return [
        JSON.stringify({ errors: formatLiveErrors(args) }),
        { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json; charset=utf-8' } },
      ];
    },
    // coded as the HTTP API codes them, no internals (graphql-sse serialises errors as they are)
    onNext: (_ctx, _req, result) =>
      result.errors
        ? {
            ...result,
            errors: formatLiveErrors(result.errors).map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })),
          }
        : result,
  });

  app.use(
    '/graphql/stream',
    express.json({ limit: '64kb' }),
    async (req: Request, res: Response, next: NextFunction) => {
      const credential = requestCredential(req);
      const principal = await connections.principalOf(credential);
      if (!credential || !principal) throw unauthenticated('send an API token: Authorization: Bearer <token>');
      const connection: LiveConnection = { principal, credential, close: () => res.end() };
      const refused = connections.add(connection);
      if (refused) throw new AppError(ErrorCode.TooManyRequests, refused, { retryAfterSeconds: 60 });
      res.on('close', () => connections.remove(connection));
      res.locals.livePrincipal = principal;
      next();
    },
    async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (error) {
        hub.logger.error({ err: error }, 'event stream failed');
        if (!res.headersSent)
          res.status(500).json({ errors: [{ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.end();
      }
    },
  );
}
