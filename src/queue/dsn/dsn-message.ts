import { randomBytes } from 'node:crypto';

/** One recipient's part of a delivery status notification (RFC 3464 §2.3). */
export interface DsnRecipient {
  finalRecipient: string;
  originalRecipient: string | null;
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
  /** RFC 3463 status, e.g. 5.1.1. */
  status: string;
  /** The reply that decided it, e.g. `550 5.1.1 user unknown`. */
  diagnostic: string;
  remoteMta: string | null;
  lastAttempt: number;
  willRetryUntil?: number;
}

export interface DsnInput {
  reportingMta: string;
  /** The bounce's From: address (e.g. MAILER-DAEMON@host). */
  from: string;
  /** The original envelope sender, who gets the report. */
  to: string;
  queueId: string;
  envid: string | null;
  arrivalDate: number;
  /** RET=HDRS or the configured default: attach only the header block. */
  headersOnly: boolean;
  original: Buffer;
  recipients: DsnRecipient[];
  now?: number;
}

/** The status code from a reply like `550 5.1.1 text`, or a default from the class of its basic code. */
export function statusOf(reply: string, fallbackClass: 4 | 5): string {
  const m =
    /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply) ?? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply);
  if (m) return m[1]!;
  const code = /^([245])\d\d/.exec(reply)?.[1];
  return code === '4' || code === '5' ? `${code}.0.0` : `${fallbackClass}.0.0`;
}

function rfc822Date(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** The header block of a message: everything before the first empty line. */
export function headerBlock(msg: Buffer): Buffer {
  const i = msg.indexOf('\r\n\r\n');
  if (i >= 0) return msg.subarray(0, i + 2);
  const j = msg.indexOf('\n\n');
  return j >= 0 ? msg.subarray(0, j + 1) : msg;
}

/** A field value with CR/LF removed, so outside text can never start a header of its own. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

const HUMAN: Record<DsnRecipient['action'], string> = {
  failed: 'could not be delivered to one or more recipients. It has been returned',
  delayed: 'has not yet been delivered to one or more recipients. Delivery will be retried',
  delivered: 'was delivered to the recipients below',
  relayed: 'was relayed to a system that does not send delivery notifications',
  expanded: 'was delivered to a list and expanded to its members',
};

/**
 * A multipart/report; report-type=delivery-status message (RFC 3464/6522): a human-readable
 * part, the machine-readable message/delivery-status, and the original message or its headers.
 */
export function buildDsn(input: DsnInput): Buffer {
  const now = input.now ?? Date.now();
  const boundary = `${input.queueId}.${randomBytes(6).toString('hex')}/${input.reportingMta}`;
  const action = input.recipients[0]?.action ?? 'failed';
  const subject =
    action === 'failed'
      ? 'Undelivered Mail Returned to Sender'
      : action === 'delayed'
        ? 'Delayed Mail (still being retried)'
        : 'Successful Mail Delivery Report';
  const human = [
    `This is the mail system at host ${input.reportingMta}.`,
    '',
    `Your message ${HUMAN[action]}.`,
    '',
    ...input.recipients.map((r) => `<${r.finalRecipient}>: ${oneLine(r.diagnostic)}`),
    '',
  ].join('\r\n');
  const perMessage = [
    `Reporting-MTA: dns; ${input.reportingMta}`,
    `X-Mailstead-Queue-ID: ${input.queueId}`,
    ...(input.envid ? [`Original-Envelope-Id: ${oneLine(input.envid)}`] : []),
    `Arrival-Date: ${rfc822Date(input.arrivalDate)}`,
  ];
  const perRecipient = input.recipients.map((r) =>
    [
      ...(r.originalRecipient
        ? [
            `Original-Recipient: ${oneLine(r.originalRecipient.includes(';') ? r.originalRecipient : `rfc822; ${r.originalRecipient}`)}`,
          ]
        : []),
      `Final-Recipient: rfc822; ${oneLine(r.finalRecipient)}`,
      `Action: ${r.action}`,
      `Status: ${r.status}`,
      ...(r.remoteMta ? [`Remote-MTA: dns; ${oneLine(r.remoteMta)}`] : []),
      `Diagnostic-Code: smtp; ${oneLine(r.diagnostic)}`,
      `Last-Attempt-Date: ${rfc822Date(r.lastAttempt)}`,
      ...(r.willRetryUntil ? [`Will-Retry-Until: ${rfc822Date(r.willRetryUntil)}`] : []),
    ].join('\r\n'),
  );
  const original = input.headersOnly ? headerBlock(input.original) : input.original;
  const head = [
    `From: Mail Delivery System <${input.from}>`,
    `To: <${input.to}>`,
    `Subject: ${subject}`,
    `Date: ${rfc822Date(now)}`,
    `Message-ID: <${input.queueId}.${now}.dsn@${input.reportingMta}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=utf-8',
    '',
    human,
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    perMessage.join('\r\n'),
    '',
    perRecipient.join('\r\n\r\n'),
    '',
    `--${boundary}`,
    `Content-Description: ${input.headersOnly ? 'Undelivered Message Headers' : 'Undelivered Message'}`,
    `Content-Type: ${input.headersOnly ? 'text/rfc822-headers' : 'message/rfc822'}`,
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), original, Buffer.from(`\r\n--${boundary}--\r\n`)]);
}
