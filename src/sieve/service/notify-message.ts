import libmime from 'libmime';
import { rfc5322Date } from '../../queue/rfc5322-date.js';
import type { NotifyAction } from '../actions.js';
import { parseMailto } from '../notify-method.js';
import { encodeHeader, oneLine, textBody } from './header-text.js';

export interface NotifyContext {
  /** The recipient whose script notifies: the default From, and the owner named in Auto-Submitted. */
  owner: string;
  /** The envelope sender of the triggering message; "" makes the notification's "" too (no loops). */
  envelopeFrom: string;
  /** The triggering message's From, Subject and Message-ID, decoded. */
  from?: string;
  subject?: string;
  messageId?: string;
  messageIdOfNotice: string;
  now: Date;
}

export interface OutgoingMessage {
  sender: string;
  recipients: string[];
  raw: Buffer;
}

const PRIORITY: Record<NotifyAction['importance'], [string, string]> = {
  '1': ['1 (Highest)', 'High'],
  '2': ['3 (Normal)', 'Normal'],
  '3': ['5 (Lowest)', 'Low'],
};

/**
 * The mail an RFC 5436 mailto notification sends: to the URI's addresses (and its to/cc
 * fields), Subject from :message, else the URI's subject, else the triggering message's; marked
 * "Auto-Submitted: auto-notified" with the owner, so no responder or notifier answers it.
 */
export function notifyMessage(a: NotifyAction, ctx: NotifyContext): OutgoingMessage {
  const uri = parseMailto(a.method);
  const from = a.from ?? ctx.owner;
  const subject = a.message ?? uri.subject ?? ctx.subject ?? '';
  const [priority, importance] = PRIORITY[a.importance];
  const lines = [
    `Auto-Submitted: auto-notified; owner-email="${oneLine(ctx.owner).replace(/["\\]/g, '')}"`,
    `From: ${oneLine(from)}`,
    `To: ${uri.to.map(oneLine).join(', ')}`,
    ...(uri.cc.length ? [`Cc: ${uri.cc.map(oneLine).join(', ')}`] : []),
    `Subject: ${encodeHeader(oneLine(subject))}`,
    `Date: ${rfc5322Date(ctx.now)}`,
    `Message-ID: <${ctx.messageIdOfNotice}>`,
    ...(ctx.messageId ? [`References: ${oneLine(ctx.messageId)}`] : []),
    `X-Priority: ${priority}`,
    `Importance: ${importance}`,
    'Precedence: bulk',
    'MIME-Version: 1.0',
  ];
  const body =
    uri.body ??
    `New mail from ${ctx.from ?? (ctx.envelopeFrom || 'the null sender')}: ${ctx.subject ?? ''}\n`;
  const head = lines.map((l) => libmime.foldLines(l, 78)).join('\r\n');
  return {
    sender: ctx.envelopeFrom === '' ? '' : from,
    recipients: uri.recipients,
    raw: Buffer.from(`${head}\r\n${textBody(body)}`),
  };
}
