import libmime from 'libmime';
import { rfc5322Date } from '../../queue/rfc5322-date.js';
import type { VacationAction } from '../actions.js';
import { encodeHeader as encode, oneLine, textBody } from './header-text.js';

/**
 * The auto-reply a vacation action sends (RFC 5230 §5, RFC 3834 §3): Auto-Submitted:
 * auto-replied so no responder answers it, In-Reply-To/References threading it under the
 * original. It goes out from the null sender, so it can never bounce back to the user.
 */
export function vacationReply(a: VacationAction, opts: { messageId: string; now: Date }): Buffer {
  const lines = [
    `From: ${oneLine(a.from)}`,
    `To: <${oneLine(a.to)}>`,
    `Subject: ${encode(a.subject)}`,
    `Date: ${rfc5322Date(opts.now)}`,
    `Message-ID: <${opts.messageId}>`,
  ];
  if (a.inReplyTo) lines.push(`In-Reply-To: ${oneLine(a.inReplyTo)}`, `References: ${oneLine(a.inReplyTo)}`);
  lines.push('Auto-Submitted: auto-replied (vacation)', 'MIME-Version: 1.0');
  const head = lines.map((l) => libmime.foldLines(l, 78)).join('\r\n');
  if (a.mime) return Buffer.from(`${head}\r\n${a.reason.replace(/\r?\n/g, '\r\n')}`);
  return Buffer.from(`${head}\r\n${textBody(a.reason)}`);
}
