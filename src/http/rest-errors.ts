import type { ErrorRequestHandler } from 'express';
import type { Hub } from '../app.js';
import { AppError, httpStatusOf } from '../shared/errors.js';
import { asUnavailable } from '../shared/unavailable.js';

/**
 * The one error path of the plain HTTP routes (exports, metrics, queue admin, body parsing): handlers
 * throw the same AppErrors the GraphQL layer maps, and this answers them as coded JSON with the field
 * at fault; what is not the caller's fault is logged with its stack and answered without internals.
 */
export function restErrorHandler(hub: Hub): ErrorRequestHandler {
  return (error: Error & { status?: number; type?: string }, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // PostgreSQL or Redis down or hung: the caller may try again
    const unavailable = asUnavailable(error);
    if (unavailable) {
      hub.logger.warn({ reason: error.message, path: req.path }, 'request failed: a dependency is unavailable');
      res.status(503).json({ errors: [{ message: unavailable.message, extensions: { code: unavailable.code } }] });
      return;
    }
    if (error instanceof AppError) {
      if (error.details.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.details.retryAfterSeconds));
      res.status(httpStatusOf(error.code)).json({
        errors: [
          { message: error.message, extensions: { code: error.code, ...(error.details.field ? { field: error.details.field } : {}) } },
        ],
      });
      return;
    }
    // express's own: a body over the limit, or JSON that does not parse
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    const message =
      status === 413
        ? `request body is over the ${hub.config.bodyLimit} limit`
        : status < 500
          ? 'malformed request body'
          : 'internal server error';
    if (status === 500) hub.logger.error({ err: error, path: req.path }, 'request failed');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}
