import { MailsteadError, type SmtpMeaning } from '../core/errors.js';

/** An Error as smtp-server sends it: `responseCode` and a message starting with the enhanced code. */
export type ReplyError = Error & { responseCode: number };

export function replyError(code: number, enhanced: string, text: string): ReplyError {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code });
}

/** Turns any failure into a reply: a MailsteadError keeps its meaning, anything else is a temporary local error. */
export function toReply(e: unknown, fallback: SmtpMeaning = { code: 451, enhanced: '4.3.0' }): ReplyError {
  if (e instanceof MailsteadError && e.smtp) return replyError(e.smtp.code, e.smtp.enhanced, e.message);
  return replyError(fallback.code, fallback.enhanced, 'Temporary local problem, please try again later');
}
