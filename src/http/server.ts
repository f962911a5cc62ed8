import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { GraphQLError } from 'graphql';
import type { Hub } from '../app.js';
import { authenticate, bearerToken } from '../auth/auth.service.js';
import { dateInZone } from '../shared/clock.js';
import { formatError } from '../shared/errors.js';
import type { HubContext } from './context.js';
import { costLimit, depthLimit } from './limits.js';
import { createRequestLoaders } from './loaders.js';
import { hubSchema } from './schema.js';
import { mountExports } from './export.js';
import { mountMetrics, mountQueueAdmin } from './operations.js';
import { mountDashboard } from './static.js';

export interface HttpServer {
  app: Express;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Builds the Express app: health checks without a token, GraphQL with one. */
export async function createHttpApp(hub: Hub): Promise<{ app: Express; server: Server; apollo: ApolloServer<HubContext> }> {
  const app = express();
  app.disable('x-powered-by');
  const server = createServer(app);
  const apollo = new ApolloServer<HubContext>({
    schema: await hubSchema(),
    introspection: hub.config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: [depthLimit(hub.config.maxQueryDepth)],
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      costLimit(hub.config.maxQueryCost),
    ],
  });
  await apollo.start();

  mountMetrics(app, hub);
  mountDashboard(app);
  mountExports(app, hub);
  mountQueueAdmin(app, hub);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const database = await hub.database.ping().then(
      () => ({ ok: true }),
      // the reason goes to the log; an unauthenticated probe learns only that it is down
      (error: Error) => {
        hub.logger.warn({ reason: error.message }, 'readiness: database unreachable');
        return { ok: false, error: 'unreachable' };
      },
    );
    const redis = hub.jobs.available ? { ok: true } : { ok: false, error: 'unreachable: jobs are paused' };
    const ready = database.ok && redis.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'degraded', database, redis });
  });

  app.use(
    '/graphql',
    express.json({ limit: hub.config.bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<HubContext> => {
        const token = bearerToken(req.headers.authorization);
        const principal = token ? await authenticate(hub.db, token) : undefined;
        if (!principal) {
          throw new GraphQLError(token ? 'the API token is unknown or revoked' : 'send an API token: Authorization: Bearer <token>', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
        const today = dateInZone(hub.clock.now(), hub.config.timeZone);
        return { principal, hub, loaders: createRequestLoaders(hub, today), clock: hub.clock, config: hub.config, today };
      },
    }),
  );

  // a body over the limit, or JSON that does not parse, gets a coded answer and no internals
  app.use((error: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    const message =
      status === 413
        ? `request body is over the ${hub.config.bodyLimit} limit`
        : status < 500
          ? 'malformed request body'
          : 'internal server error';
    if (status === 500) hub.logger.error({ err: error }, 'request failed');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });

  return { app, server, apollo };
}

export async function startHttpServer(hub: Hub, port = hub.config.port, host = hub.config.host): Promise<HttpServer> {
  const { app, server, apollo } = await createHttpApp(hub);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    app,
    server,
    url: `http://${shownHost}:${address.port}`,
    stop: async () => {
      await apollo.stop();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
