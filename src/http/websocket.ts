import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Hub } from '../app.js';
import { bearerToken } from '../auth/auth.service.js';
import { formatLiveErrors, subscriptionArgs, type LiveConnection, type LiveConnections, type LiveLimits } from './live-connections.js';
import { requestCookie, sessionCookie, type Credential } from './rest-auth.js';

/**
 * Close codes beyond graphql-ws's own: the token went away while connected (4401, which its client
 * does not retry); too many connections (1013 Try Again Later, which it retries with backoff: a screen
 * reloaded ten times comes back once the old connections are gone).
 */
export const LiveCloseCode = { Revoked: 4401, TooManyConnections: 1013 } as const;

type Extra = { connection?: LiveConnection };
type LiveContext = Context<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage } & Extra>;

/** A person's session cookie on a request from a page of this hub (its Origin is this host), else none. */
export function sameOriginSession(request: IncomingMessage): Credential | undefined {
  const session = requestCookie(request, sessionCookie);
  if (!session) return undefined;
  // a page of another site cannot borrow the cookie: its Origin is not this host
  const origin = request.headers.origin;
  try {
    return origin && new URL(origin).host === request.headers.host ? { kind: 'session', value: session } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The token of `connection_init` (`{ "authorization": "Bearer <token>" }`), or a person's session
 * cookie from the upgrade request when the page comes from this hub (the 大屏 in a logged-in browser).
 */
function credentialOf(ctx: LiveContext): Credential | undefined {
  const authorization = ctx.connectionParams?.authorization;
  const token = typeof authorization === 'string' ? bearerToken(authorization) : undefined;
  if (token) return { kind: 'token', value: token };
  return sameOriginSession(ctx.extra.request);
}

/**
 * GraphQL subscriptions over WebSocket at /graphql (graphql-transport-ws, the graphql-ws library):
 * authenticated at connection_init, subscriptions only, limits per token, connection and message,
 * and connections closed (4401) when their token is revoked or their person disabled, in any process.
 */
export function attachWebSocketServer(hub: Hub, server: Server, schema: GraphQLSchema, connections: LiveConnections, limits: LiveLimits) {
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: limits.maxMessageBytes });

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      async onConnect(ctx) {
        const credential = credentialOf(ctx);
        const principal = await connections.principalOf(credential);
        // false: graphql-ws closes with 4403 Forbidden, nothing subscribed
        if (!credential || !principal) return false;
        const socket = ctx.extra.socket;
        // closed while the credential was looked up: onClose has run already, nothing to register
        if (socket.readyState !== socket.OPEN) return false;
        const connection: LiveConnection = { principal, credential, close: (reason) => socket.close(LiveCloseCode.Revoked, reason) };
        const refused = connections.add(connection);
        if (refused) {
          socket.close(LiveCloseCode.TooManyConnections, refused);
          return false;
        }
        ctx.extra.connection = connection;
        return true;
      },
      onClose(ctx) {
        if (ctx.extra.connection) connections.remove(ctx.extra.connection);
      },
      onSubscribe(ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        // graphql-ws has reserved this one's id already: it counts itself
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [
            new GraphQLError(`at most ${limits.subscriptionsPerConnection} subscriptions per connection`, {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        }
        return subscriptionArgs(hub, schema, ctx.extra.connection!.principal, payload);
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatLiveErrors(result.errors) } : result),
      onError: (_ctx, _id, _payload, errors) => formatLiveErrors(errors),
    },
    wss,
    limits.keepAliveMs,
  );

  return {
    /** Closes every WebSocket (1001 going away) and stops accepting them. */
    async stop(): Promise<void> {
      for (const client of wss.clients) client.close(1001, 'the hub is stopping');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
