import { MailsteadError } from '../core/errors.js';

/** A policy decision to refuse, with its SMTP reply; the protocol layer sends it as is. */
export function refuse(code: number, enhanced: string, text: string): MailsteadError {
  return new MailsteadError(text, { smtp: { code, enhanced } });
}
