import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import type { Hub } from '../app.js';
import { AppError, ErrorCode, publicErrorCodes } from '../shared/errors.js';
import { unavailableDependency } from '../shared/unavailable.js';

/**
 * True for a mistake of the caller's (bad input, no token, not found) or a dependency the caller
 * may retry later; false for a bug, whose details formatError hides from the caller.
 */
export function isUserError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return true;
  if (!(original instanceof GraphQLError)) return false;
  // a GraphQLError wrapping something else (an Error thrown inside a scalar or a plugin) is a bug
  if (original.originalError && !(original.originalError instanceof GraphQLError) && !(original.originalError instanceof AppError)) {
    return false;
  }
  const code = original.extensions.code;
  return typeof code === 'string' && publicErrorCodes.has(code);
}

/**
 * Logs every error that is not the caller's mistake, with its stack, before formatError masks it
 * as INTERNAL_SERVER_ERROR: the caller sees nothing of it, the operator sees all of it. The hub's
 * logger is read at each error, so a test can swap it.
 */
export function logInternalErrors(hub: Hub): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            // a dependency down (answered SERVICE_UNAVAILABLE) is the operator's concern, not a bug
            if ((original instanceof AppError && original.code === ErrorCode.Unavailable) || unavailableDependency(original)) {
              hub.logger.warn({ reason: (original as Error).message, operationName }, 'request answered SERVICE_UNAVAILABLE');
              continue;
            }
            if (isUserError(error)) continue;
            hub.logger.error(
              { err: original instanceof Error ? original : new Error(String(original)), path: error.path?.join('.'), operationName },
              'internal error in a GraphQL request',
            );
          }
        },
      };
    },
    async contextCreationDidFail({ error }) {
      if (!isUserError(error)) hub.logger.error({ err: error }, 'internal error while authenticating a GraphQL request');
    },
    async unexpectedErrorProcessingRequest({ error }) {
      hub.logger.error({ err: error }, 'internal error processing a GraphQL request');
    },
  };
}
