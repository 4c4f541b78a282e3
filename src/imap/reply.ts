import { MailsteadError } from '../core/errors.js';
import { ImapParseError } from './proto/errors.js';
import { parseErrorResponse, tagged } from './proto/protocol/status.js';

/** The tagged reply for a failed command: the error's own IMAP meaning, or NO [SERVERBUG]. */
export function errorReply(tag: string, e: unknown): Buffer {
  if (e instanceof ImapParseError) {
    const opts: { tag: string; status: 'BAD' | 'NO'; code?: string } = { tag, status: e.status };
    if (e.code !== undefined) opts.code = e.code;
    return parseErrorResponse(new ImapParseError(e.message, opts));
  }
  if (e instanceof MailsteadError && e.imap) return tagged(tag, e.imap.status, e.message, e.imap.code);
  return tagged(tag, 'NO', 'Internal error', 'SERVERBUG');
}

/**
 * APPEND, COPY and MOVE name a target: when it does not exist the client should be told it may
 * create it (RFC 9051 6.3.12), so the service's NONEXISTENT becomes TRYCREATE there.
 */
export function asTargetError(e: unknown): unknown {
  if (e instanceof MailsteadError && e.imap?.code === 'NONEXISTENT') {
    return new MailsteadError(e.message, { imap: { status: 'NO', code: 'TRYCREATE' }, cause: e });
  }
  return e;
}
