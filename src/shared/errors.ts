import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export enum ErrorCode {
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  BadUserInput = 'BAD_USER_INPUT',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  /** a dependency (Redis) is down: the request may succeed later */
  Unavailable = 'SERVICE_UNAVAILABLE',
  /** too many failed logins: wait `retryAfterSeconds` */
  TooManyRequests = 'TOO_MANY_REQUESTS',
}

export interface ErrorDetails {
  /** the input field at fault, as a path: `input[3].value` */
  field?: string;
  /** the batch item at fault */
  index?: number;
  /** further problems when more than one is reported at once */
  problems?: { field: string; message: string }[];
  /** TOO_MANY_REQUESTS: when to try again */
  retryAfterSeconds?: number;
}

/** The one error type services throw; the GraphQL layer maps its code to `extensions.code`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badInput = (field: string, message: string, extra: ErrorDetails = {}) =>
  new AppError(ErrorCode.BadUserInput, `${field}: ${message}`, { field, ...extra });
export const notFound = (what: string, field?: string) => new AppError(ErrorCode.NotFound, `${what} not found`, { field });
export const forbidden = (message: string, field?: string) => new AppError(ErrorCode.Forbidden, message, { field });
export const unauthenticated = (message = 'a valid API token is required') => new AppError(ErrorCode.Unauthenticated, message);

function assertNever(x: never): never {
  throw new Error(`unmapped error code ${String(x)}`);
}

/** HTTP status a REST endpoint answers for a code; GraphQL answers 200 with the code in extensions. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.BadUserInput:
      return 400;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.Unavailable:
      return 503;
    case ErrorCode.TooManyRequests:
      return 429;
    default:
      return assertNever(code);
  }
}

export function toGraphQLError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...stripUndefined(error.details) },
  });
}

function stripUndefined(details: ErrorDetails): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

/** Codes Apollo and graphql-js produce themselves, which are safe to show as they are. */
export const publicErrorCodes: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** A query for __schema or __type on a hub with introspection off (the production default). */
export const introspectionOffMessage =
  'GraphQL introspection (__schema, __type) is off on this hub; queries still run. An operator can turn it on with HUB_INTROSPECTION=true';

/**
 * Everything leaving the API goes through here: AppErrors keep their code and details, known
 * GraphQL errors keep theirs, anything else becomes INTERNAL_SERVER_ERROR with no internals.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (original instanceof AppError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: original.code, ...stripUndefined(original.details) },
    };
  }
  const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : '';
  if (publicErrorCodes.has(code)) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    // Apollo's wording tells a developer to pass `introspection: true`; here an operator sets a variable
    const message = extensions.validationErrorCode === 'INTROSPECTION_DISABLED' ? introspectionOffMessage : formatted.message;
    return { message, locations: formatted.locations, path: formatted.path, extensions };
  }
  return {
    message: 'internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
