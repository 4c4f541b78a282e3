import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, AuthLockedError } from '../../directory/auth-error.js';
import {
  ConflictError,
  LimitError,
  MailsteadError,
  NotFoundError,
  PermissionError,
} from '../../core/errors.js';
import type { Logger } from '../../log/logger.js';
import { SieveSyntaxError } from '../../sieve/errors.js';

/** An HTTP status with a message for the client, for conditions only the HTTP layer knows. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status of a service error; the errors already say what kind of failure they are. */
export function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status;
  if (e instanceof AuthLockedError) return 429;
  if (e instanceof SieveSyntaxError) return 400;
  if (e instanceof AuthError) return 401;
  if (e instanceof PermissionError) return 403;
  if (e instanceof NotFoundError) return 404;
  if (e instanceof ConflictError || e instanceof LimitError) return 409;
  if (e instanceof MailsteadError && (e.operator || e.imap?.status === 'NO' || e.imap?.status === 'BAD'))
    return 400;
  const fe = e as Partial<FastifyError>;
  if (fe.validation || (fe.statusCode && fe.statusCode < 500)) return fe.statusCode ?? 400;
  return 500;
}

export function errorHandler(log: Logger) {
  return (e: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const status = statusOf(e);
    if (status >= 500) log.error({ event: 'http_api_error', url: req.url, err: e.message, stack: e.stack });
    if (e instanceof AuthLockedError) reply.header('retry-after', String(Math.ceil(e.retryAfterMs / 1000)));
    const body: { error: string; key?: string; line?: number; column?: number } = {
      error: status >= 500 ? 'internal error' : e.message,
    };
    const key = (e as { key?: unknown }).key;
    if (typeof key === 'string') body.key = key;
    // A script's compile error points at its place, so the editor can mark the line.
    if (e instanceof SieveSyntaxError) Object.assign(body, { line: e.line, column: e.column });
    return reply.status(status).send(body);
  };
}
