import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode } from './errors.js';

/**
 * Faults of a dependency rather than of the request: PostgreSQL restarting or down, Redis down or not
 * answering. The request may succeed later, so the caller is told SERVICE_UNAVAILABLE (HTTP 503),
 * never INTERNAL_SERVER_ERROR.
 */
export type Dependency = 'database' | 'redis';

// SQLSTATE: class 08 connection exceptions; 57P01-57P03 shutdown, crash, cannot connect now; 53300 too many connections
const unavailableSqlStates = /^(08\d{3}|57P0[123]|53300)$/;
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const pgMessages = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Connection terminated due to connection timeout/,
];
const redisMessages = [
  /^Command timed out$/,
  /enableOfflineQueue options is false/,
  /^Connection is closed\.$/,
  /^Reached the max retries per request limit/,
];

/** What a fault is, or undefined when it is not a dependency's. Looks through drizzle's and GraphQL's wrappers. */
export function unavailableDependency(error: unknown): Dependency | undefined {
  const found = findUnavailable(error);
  return found instanceof UnavailableError ? found.dependency : found;
}

function findUnavailable(error: unknown): UnavailableError | Dependency | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof UnavailableError) return current;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof message === 'string') {
      if (redisMessages.some((m) => m.test(message))) return 'redis';
      if (pgMessages.some((m) => m.test(message))) return 'database';
    }
    if (typeof code === 'string' && (unavailableSqlStates.test(code) || networkCodes.has(code))) return 'database';
    current = current instanceof GraphQLError ? (current.originalError ?? undefined) : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A dependency did not answer: SERVICE_UNAVAILABLE for the caller, with a message that names no internals. */
export class UnavailableError extends AppError {
  constructor(
    readonly dependency: Dependency,
    message = dependency === 'database'
      ? 'the database is unavailable; try again shortly'
      : 'jobs are unavailable (Redis does not answer); try again shortly',
  ) {
    super(ErrorCode.Unavailable, message);
    this.name = 'UnavailableError';
  }
}

/** The same fault as an UnavailableError (kept as is when it already is one), or undefined. */
export function asUnavailable(error: unknown): UnavailableError | undefined {
  const found = findUnavailable(error);
  return typeof found === 'string' ? new UnavailableError(found) : found;
}

/** Apollo's formatError, with dependency faults answered as SERVICE_UNAVAILABLE before `next` masks them. */
export function formatUnavailable(next: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unavailable = asUnavailable(error);
    if (!unavailable) return next(formatted, error);
    return {
      message: unavailable.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.Unavailable },
    };
  };
}

/** Thrown by withDeadline when the work has not settled in time. */
export class DeadlineError extends Error {}

/** The work's outcome, or a DeadlineError after `ms` (the work may still settle later; its failure is then ignored). */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** For Apollo's context function: a dependency fault becomes a coded 503 instead of "Context creation failed" (500). */
export function rethrowUnavailable(error: unknown): never {
  const unavailable = asUnavailable(error);
  if (unavailable) {
    throw new GraphQLError(unavailable.message, { extensions: { code: ErrorCode.Unavailable, http: { status: 503 } } });
  }
  throw error;
}
