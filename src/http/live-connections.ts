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
import type { Hub } from '../app.js';
import { hashToken, type Principal } from '../auth/auth.service.js';
import type { Config } from '../config/config.js';
import { dateInZone } from '../shared/clock.js';
import { formatError } from '../shared/errors.js';
import { formatUnavailable } from '../shared/unavailable.js';
import type { HubContext } from './context.js';
import { depthLimit, documentShapeProblem, parseLimits } from './limits.js';
import { createRequestLoaders } from './loaders.js';
import { authenticateCredential, type Credential } from './rest-auth.js';

// What the two live transports share (WebSocket, src/http/websocket.ts; Server-Sent Events,
// src/http/sse.ts): the open connections by token or person, closed when those stop being valid,
// and how a subscription operation is checked and given its context.

/** Limits of the live endpoints; each refusal says which. */
export interface LiveLimits {
  /** open connections per token or person, in one process (WebSocket and event streams together) */
  connectionsPerCredential: number;
  /** subscriptions at once on one WebSocket connection */
  subscriptionsPerConnection: number;
  /** the largest message a client may send, in bytes */
  maxMessageBytes: number;
  /** a ping to every connection this often; one that does not answer is closed */
  keepAliveMs: number;
  /** tokens and sessions of open connections are checked again this often (expiry) */
  recheckMs: number;
}

/** The limits HUB_LIVE_MAX_CONNECTIONS, HUB_LIVE_MAX_SUBSCRIPTIONS and HUB_LIVE_KEEPALIVE_MS set (defaults 10, 20, 12 s). */
export function liveLimits(config: Config): LiveLimits {
  return {
    connectionsPerCredential: config.live.maxConnections,
    subscriptionsPerConnection: config.live.maxSubscriptions,
    maxMessageBytes: 64 * 1024,
    keepAliveMs: config.live.keepAliveMs,
    recheckMs: 60_000,
  };
}

export interface LiveConnection {
  principal: Principal;
  credential: Credential;
  /** ends the connection, saying why (a token revoked, a session ended) */
  close(reason: string): void;
}

const keyOf = (principal: Principal) => (principal.userId !== null ? `user:${principal.userId}` : `token:${principal.clientId}`);

/**
 * The open live connections of this process, by token or person: at most so many each, and closed
 * when their token is revoked or their person disabled (an event from any process), or found
 * expired at the periodic check (which also covers a revocation whose event Redis did not carry).
 */
export class LiveConnections {
  private readonly open = new Map<string, Set<LiveConnection>>();
  private readonly stopRevocations: () => void;
  private readonly recheck: NodeJS.Timeout;

  constructor(
    private readonly hub: Hub,
    private readonly limits: LiveLimits,
  ) {
    this.stopRevocations = hub.live.onRevoked((event) => {
      for (const connection of this.all()) {
        const { principal } = connection;
        if (event.clientId !== null && principal.clientId === event.clientId) connection.close('the token was revoked');
        else if (event.userId !== null && principal.userId === event.userId) connection.close('the session has ended');
        else if (
          event.sessionHash !== undefined &&
          connection.credential.kind === 'session' &&
          hashToken(connection.credential.value) === event.sessionHash
        )
          connection.close('the session has ended');
      }
    });
    this.recheck = setInterval(() => {
      for (const connection of this.all()) {
        authenticateCredential(hub, connection.credential).then(
          (principal) => {
            if (!principal) connection.close('the token or session is no longer valid');
          },
          () => undefined,
        );
      }
    }, limits.recheckMs);
    this.recheck.unref();
  }

  /** Authenticates a credential; undefined when it is missing, unknown, revoked or expired. */
  async principalOf(credential: Credential | undefined): Promise<Principal | undefined> {
    return credential ? authenticateCredential(this.hub, credential).catch(() => undefined) : undefined;
  }

  /** Registers a connection; a refusal message when its token or person has too many open already. */
  add(connection: LiveConnection): string | undefined {
    const key = keyOf(connection.principal);
    const mine = this.open.get(key) ?? new Set<LiveConnection>();
    if (mine.size >= this.limits.connectionsPerCredential)
      return `at most ${this.limits.connectionsPerCredential} live connections per token`;
    mine.add(connection);
    this.open.set(key, mine);
    return undefined;
  }

  remove(connection: LiveConnection): void {
    const key = keyOf(connection.principal);
    const mine = this.open.get(key);
    mine?.delete(connection);
    if (mine?.size === 0) this.open.delete(key);
  }

  stop(): void {
    this.stopRevocations();
    clearInterval(this.recheck);
  }

  private *all(): Generator<LiveConnection> {
    for (const connections of this.open.values()) yield* connections;
  }
}

/**
 * A subscription operation as the live transports run it: parsed and shaped within the same limits
 * as HTTP, validated with the depth limit, subscriptions only (queries and mutations go over HTTP
 * POST, with their cost limits), and given the context every resolver gets.
 */
export function subscriptionArgs(
  hub: Hub,
  schema: GraphQLSchema,
  principal: Principal,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): ExecutionArgs | GraphQLError[] {
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
    // as over HTTP: no "Did you mean …" in production, which would spell out the schema
    const production = hub.config.env === 'production';
    return problems.map(
      (e) =>
        new GraphQLError(production ? e.message.replace(/ Did you mean .*$/, '') : e.message, {
          nodes: e.nodes,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
    );
  }
  const operation = getOperationAST(document, payload.operationName);
  if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) {
    return [
      new GraphQLError('only subscriptions travel over the live endpoints: send queries and mutations as HTTP POST /graphql', {
        extensions: { code: 'BAD_REQUEST' },
      }),
    ];
  }
  const today = dateInZone(hub.clock.now(), hub.config.timeZone);
  const contextValue: HubContext = {
    principal,
    hub,
    loaders: createRequestLoaders(hub, today),
    clock: hub.clock,
    config: hub.config,
    today,
  };
  return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
}

/** Errors as the HTTP API shows them: coded, no internals. */
export const formatLiveErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
  errors.map((error) => formatUnavailable(formatError)(error.toJSON(), error));
