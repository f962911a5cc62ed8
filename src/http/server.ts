import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { GraphQLError } from 'graphql';
import type { Hub } from '../app.js';
import { dateInZone } from '../shared/clock.js';
import { formatError } from '../shared/errors.js';
import { formatUnavailable, rethrowUnavailable } from '../shared/unavailable.js';
import { mountHealth } from './health.js';
import { restErrorHandler } from './rest-errors.js';
import type { HubContext } from './context.js';
import { logInternalErrors } from './error-log.js';
import { costLimit, depthLimit, documentShapeGuard, literalFields, parseLimits } from './limits.js';
import { createRequestLoaders } from './loaders.js';
import { hubSchema } from './schema.js';
import { mountExports } from './export.js';
import { mountExplorer } from './explorer.js';
import { mountLogin } from './login.js';
import { authenticateCredential, requestCredential } from './rest-auth.js';
import { mountMetrics, mountQueueAdmin } from './operations.js';
import { mountDashboard } from './static.js';
import { LiveConnections, liveLimits } from './live-connections.js';
import { mountEventStream } from './sse.js';
import { attachWebSocketServer } from './websocket.js';

export interface HttpServer {
  app: Express;
  server: Server;
  /** the address and port the server is bound to, e.g. `0.0.0.0:4000` or `[::1]:4000` */
  address: string;
  /** a URL that reaches it from this machine */
  url: string;
  stop(): Promise<void>;
}

/** How long requests in flight may take to finish once the server stops. */
export const drainGraceMs = 6_000;
/** A response carrying SERVICE_UNAVAILABLE (database or Redis down or hung) is an HTTP 503: try again later. */
const unavailableStatus: ApolloServerPlugin<HubContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        if (errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) response.http.status = 503;
      },
    };
  },
};

/** HUB_TRUST_PROXY as Express reads it: a hop count, true/false, or addresses and subnets (`loopback`, `10.0.0.0/8`). */
function trustProxyValue(text: string): boolean | number | string {
  if (/^\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** Builds the Express app: health checks without a token, GraphQL with one. */
export async function createHttpApp(
  hub: Hub,
): Promise<{ app: Express; server: Server; apollo: ApolloServer<HubContext>; live: { stop(): Promise<void> } }> {
  const app = express();
  app.disable('x-powered-by');
  if (hub.config.trustProxy !== undefined) app.set('trust proxy', trustProxyValue(hub.config.trustProxy));
  const server = createServer(app);
  const schema = await hubSchema();
  const apollo = new ApolloServer<HubContext>({
    schema,
    introspection: hub.config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: formatUnavailable(formatError),
    // main.ts handles SIGTERM and SIGINT: Apollo's own handlers would stop it twice and wait on itself
    stopOnTerminationSignals: false,
    validationRules: [depthLimit(hub.config.maxQueryDepth)],
    // hostile input (finding 5, 6): the parser stops at a size, the shape is checked before validation,
    // no "Did you mean …" in production, and every error that is not the caller's is logged before it is masked
    parseOptions: parseLimits,
    hideSchemaDetailsFromClientErrors: hub.config.env === 'production',
    plugins: [
      logInternalErrors(hub),
      literalFields,
      ApolloServerPluginLandingPageDisabled(),
      // no HTTP cache hints are set: the default plugin would wrap every field resolver for nothing
      ApolloServerPluginCacheControlDisabled(),
      // requests in flight get this long to finish at shutdown, within the 10 s a process has to stop
      ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: drainGraceMs }),
      costLimit(hub.config.maxQueryCost),
      unavailableStatus,
    ],
  });
  await apollo.start();
  // subscriptions: WebSocket upgrades of /graphql (graphql-transport-ws), and Server-Sent Events at /graphql/stream
  const limits = liveLimits(hub.config);
  const connections = new LiveConnections(hub, limits);
  const webSockets = attachWebSocketServer(hub, server, schema, connections, limits);
  const live = {
    async stop() {
      connections.stop();
      await webSockets.stop();
    },
  };

  mountMetrics(app, hub);
  mountLogin(app, hub);
  mountDashboard(app);
  mountExports(app, hub);
  mountQueueAdmin(app, hub);

  mountHealth(app, hub);
  mountExplorer(app, hub);
  mountEventStream(app, hub, schema, connections);

  app.use(
    '/graphql',
    express.json({ limit: hub.config.bodyLimit }),
    documentShapeGuard(),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<HubContext> => {
        const credential = requestCredential(req);
        const principal = credential ? await authenticateCredential(hub, credential).catch(rethrowUnavailable) : undefined;
        if (!principal) {
          const message = !credential
            ? 'send an API token: Authorization: Bearer <token>'
            : credential.kind === 'session'
              ? 'the session has ended: log in again'
              : 'the API token is unknown, expired or revoked';
          throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
        }
        const today = dateInZone(hub.clock.now(), hub.config.timeZone);
        return { principal, hub, loaders: createRequestLoaders(hub, today), clock: hub.clock, config: hub.config, today };
      },
    }),
  );

  app.use(restErrorHandler(hub));

  return { app, server, apollo, live };
}

export async function startHttpServer(hub: Hub, port = hub.config.port, host = hub.config.host): Promise<HttpServer> {
  const { app, server, apollo, live } = await createHttpApp(hub);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // what the socket is really bound to (HOST may be a name, PORT may be 0), not what was configured
  const bound = server.address() as AddressInfo;
  const hostOf = (ip: string) => (bound.family === 'IPv6' ? `[${ip}]` : ip);
  // an unspecified address (all interfaces) is reached through loopback
  const reachable = bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address === '::' ? '::1' : bound.address;
  return {
    app,
    server,
    address: `${hostOf(bound.address)}:${bound.port}`,
    url: `http://${hostOf(reachable)}:${bound.port}`,
    stop: async () => {
      await live.stop();
      await apollo.stop();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
