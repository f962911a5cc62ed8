import type { IncomingMessage, Server } from 'node:http';
import {
  GraphQLError,
  OperationTypeNode,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Hub } from '../app.js';
import { bearerToken, type Principal } from '../auth/auth.service.js';
import { dateInZone } from '../shared/clock.js';
import { formatError } from '../shared/errors.js';
import { formatUnavailable } from '../shared/unavailable.js';
import type { HubContext } from './context.js';
import { depthLimit, documentShapeProblem, parseLimits } from './limits.js';
import { createRequestLoaders } from './loaders.js';
import { authenticateCredential, type Credential } from './rest-auth.js';

/** Limits of the live endpoint; each refusal says which. */
export interface LiveLimits {
  /** open connections per token or person, in one process */
  connectionsPerCredential: number;
  /** subscriptions at once on one connection */
  subscriptionsPerConnection: number;
  /** the largest message a client may send, in bytes */
  maxMessageBytes: number;
  /** a ping to every connection this often; one that does not answer is closed */
  keepAliveMs: number;
  /** tokens and sessions of open connections are checked again this often (expiry) */
  recheckMs: number;
}

export const defaultLiveLimits: LiveLimits = {
  connectionsPerCredential: 10,
  subscriptionsPerConnection: 20,
  maxMessageBytes: 64 * 1024,
  keepAliveMs: 12_000,
  recheckMs: 60_000,
};

/** Close codes beyond graphql-ws's own: the token went away while connected; too many connections. */
export const LiveCloseCode = { Revoked: 4401, TooManyConnections: 4429 } as const;

interface Connection {
  principal: Principal;
  credential: Credential;
  socket: WebSocket;
}

type Extra = { connection?: Connection };
type LiveContext = Context<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage } & Extra>;

const keyOf = (principal: Principal) => (principal.userId !== null ? `user:${principal.userId}` : `token:${principal.clientId}`);

/**
 * The token of `connection_init` (`{ "authorization": "Bearer <token>" }`), or a person's session
 * cookie from the upgrade request when the page comes from this hub (the 大屏 in a logged-in browser).
 */
function credentialOf(ctx: LiveContext): Credential | undefined {
  const authorization = ctx.connectionParams?.authorization;
  const token = typeof authorization === 'string' ? bearerToken(authorization) : undefined;
  if (token) return { kind: 'token', value: token };
  const request = ctx.extra.request;
  const cookie = (request.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith('hub_session='));
  if (!cookie) return undefined;
  // a page of another site cannot borrow the cookie: its Origin is not this host
  const origin = request.headers.origin;
  if (!origin || new URL(origin).host !== request.headers.host) return undefined;
  try {
    return { kind: 'session', value: decodeURIComponent(cookie.slice('hub_session='.length)) };
  } catch {
    return undefined;
  }
}

const formatErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
  errors.map((error) => formatUnavailable(formatError)(error.toJSON(), error));

/**
 * GraphQL subscriptions over WebSocket at /graphql (graphql-transport-ws, the graphql-ws library):
 * authenticated at connection_init, subscriptions only (queries and mutations go over HTTP, with
 * their cost limits), limits per token, connection and message, and connections closed when their
 * token is revoked or their person disabled, in any process.
 */
export function attachLiveServer(hub: Hub, server: Server, schema: GraphQLSchema, limits: LiveLimits = defaultLiveLimits) {
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: limits.maxMessageBytes });
  const open = new Map<string, Set<Connection>>();

  const forget = (connection: Connection) => {
    const key = keyOf(connection.principal);
    open.get(key)?.delete(connection);
    if (open.get(key)?.size === 0) open.delete(key);
  };
  const closeWhere = (match: (c: Connection) => boolean, reason: string) => {
    for (const connections of open.values()) {
      for (const connection of connections) if (match(connection)) connection.socket.close(LiveCloseCode.Revoked, reason);
    }
  };
  const stopRevocations = hub.live.onRevoked((event) =>
    closeWhere(
      (c) =>
        (event.clientId !== null && c.principal.clientId === event.clientId) ||
        (event.userId !== null && c.principal.userId === event.userId),
      event.userId !== null ? 'the session has ended' : 'the token was revoked',
    ),
  );
  // expiry, and any revocation an event did not carry (Redis away at the time)
  const recheck = setInterval(() => {
    for (const connections of open.values()) {
      for (const connection of connections) {
        authenticateCredential(hub, connection.credential).then(
          (principal) => {
            if (!principal) connection.socket.close(LiveCloseCode.Revoked, 'the token or session is no longer valid');
          },
          () => undefined,
        );
      }
    }
  }, limits.recheckMs);
  recheck.unref();

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      async onConnect(ctx) {
        const credential = credentialOf(ctx);
        const principal = credential ? await authenticateCredential(hub, credential).catch(() => undefined) : undefined;
        // false: graphql-ws closes with 4403 Forbidden, nothing subscribed
        if (!credential || !principal) return false;
        const key = keyOf(principal);
        const mine = open.get(key) ?? new Set<Connection>();
        if (mine.size >= limits.connectionsPerCredential) {
          ctx.extra.socket.close(LiveCloseCode.TooManyConnections, `at most ${limits.connectionsPerCredential} live connections per token`);
          return false;
        }
        const connection = { principal, credential, socket: ctx.extra.socket };
        mine.add(connection);
        open.set(key, mine);
        ctx.extra.connection = connection;
        return true;
      },
      onClose(ctx) {
        if (ctx.extra.connection) forget(ctx.extra.connection);
      },
      onSubscribe(ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        const connection = ctx.extra.connection!;
        // graphql-ws has reserved this one's id already: it counts itself
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [
            new GraphQLError(`at most ${limits.subscriptionsPerConnection} subscriptions per connection`, {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        }
        let document;
        try {
          document = parse(payload.query, parseLimits);
        } catch (error) {
          return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const shape = documentShapeProblem(document);
        if (shape) return [new GraphQLError(shape, { extensions: { code: 'BAD_REQUEST' } })];
        const problems = validate(schema, document, [...specifiedRules, depthLimit(hub.config.maxQueryDepth)]);
        if (problems.length > 0) {
          return problems.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) {
          return [
            new GraphQLError('only subscriptions travel over WebSocket: send queries and mutations as HTTP POST /graphql', {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        }
        const today = dateInZone(hub.clock.now(), hub.config.timeZone);
        const contextValue: HubContext = {
          principal: connection.principal,
          hub,
          loaders: createRequestLoaders(hub, today),
          clock: hub.clock,
          config: hub.config,
          today,
        };
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatErrors(result.errors) } : result),
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
    },
    wss,
    limits.keepAliveMs,
  );

  return {
    /** Closes every live connection (1001 going away) and stops listening for them. */
    async stop(): Promise<void> {
      stopRevocations();
      clearInterval(recheck);
      for (const client of wss.clients) client.close(1001, 'the hub is stopping');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
