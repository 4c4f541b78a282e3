import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../directory/types.js';
import { HttpError } from '../api/errors.js';
import { readCookie, SESSION_COOKIE } from './cookie.js';
import { sameSecret } from './secrets.js';
import type { SessionService } from './sessions.js';
import type { ApiTokenService } from './tokens.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Who sends a request: a bearer token, or a session cookie. A cookie is sent by the browser on
 * its own, so with a cookie every state-changing request must also carry the session's CSRF
 * token in a header, which another site cannot read or set. A bearer token is never ambient,
 * so it needs none.
 */
export interface Caller {
  actor: Actor;
  /** The session's CSRF token; null for a bearer token. */
  csrf: string | null;
}

export async function authenticateRequest(
  req: FastifyRequest,
  sessions: SessionService,
  tokens: ApiTokenService,
): Promise<Caller> {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const account = m ? await tokens.resolve(m[1]!) : undefined;
    if (!account) throw new HttpError(401, 'invalid or expired API token');
    return { actor: { kind: 'account', account }, csrf: null };
  }
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
  const session = cookie ? await sessions.resolve(cookie) : undefined;
  if (!session) throw new HttpError(401, 'not logged in');
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrf))
      throw new HttpError(403, 'missing or wrong X-CSRF-Token header');
  }
  return { actor: { kind: 'account', account: session.account }, csrf: session.csrf };
}
