import { randomBytes } from 'node:crypto';
import libmime from 'libmime';
import { rfc5322Date } from '../../queue/rfc5322-date.js';
import { headerBlock } from '../../queue/dsn/dsn-message.js';
import { encodeHeader as encode, oneLine } from './header-text.js';

export interface RejectMdnInput {
  /** The envelope sender of the rejected message, who receives the MDN. */
  to: string;
  /** The recipient whose script rejected it. */
  recipient: string;
  originalRecipient?: string;
  reason: string;
  /** The rejected message's Subject and Message-ID, decoded. */
  subject?: string;
  originalMessageId?: string;
  /** The rejected message, of which the header block is returned. */
  original: Buffer;
  reportingHost: string;
  messageId: string;
  now: Date;
}

/**
 * The MDN a Sieve "reject" sends (RFC 5429 §2.2.1, RFC 8098): a multipart/report whose
 * disposition is "automatic-action/MDN-sent-automatically; deleted", with the reason in the
 * human-readable part and the rejected message's header returned (its body is not sent back).
 * Like Pigeonhole's, it goes out from the null sender, marked Auto-Submitted.
 */
export function rejectMdn(input: RejectMdnInput): Buffer {
  const boundary = `${randomBytes(8).toString('hex')}/${input.reportingHost}`;
  const originalId = input.originalMessageId && oneLine(input.originalMessageId);
  const reason = input.reason.replace(/\r?\n/g, '\r\n');
  const lines = [
    `From: Mail Delivery Subsystem <MAILER-DAEMON@${input.reportingHost}>`,
    `To: <${oneLine(input.to)}>`,
    `Subject: ${encode(oneLine(`Rejected: ${input.subject ?? '(no subject)'}`))}`,
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: <${input.messageId}>`,
    ...(originalId ? [`In-Reply-To: ${originalId}`, `References: ${originalId}`] : []),
    'Auto-Submitted: auto-replied (rejected)',
    'Precedence: bulk',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
  ];
  const head = lines.map((l) => libmime.foldLines(l, 78)).join('\r\n');
  const human = [
    `Your message to <${oneLine(input.recipient)}> was refused by the recipient's mail filtering program.`,
    'The reason given was as follows:',
    '',
    reason,
  ].join('\r\n');
  const report = [
    `Reporting-UA: ${input.reportingHost}; Mailstead`,
    ...(input.originalRecipient ? [`Original-Recipient: rfc822; ${oneLine(input.originalRecipient)}`] : []),
    `Final-Recipient: rfc822; ${oneLine(input.recipient)}`,
    ...(originalId ? [`Original-Message-ID: ${originalId}`] : []),
    'Disposition: automatic-action/MDN-sent-automatically; deleted',
  ].join('\r\n');
  return Buffer.concat([
    Buffer.from(
      [
        head,
        '',
        'This is a MIME-encapsulated message.',
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Disposition: inline',
        'Content-Transfer-Encoding: 8bit',
        '',
        human,
        '',
        `--${boundary}`,
        'Content-Type: message/disposition-notification',
        '',
        report,
        '',
        `--${boundary}`,
        'Content-Type: text/rfc822-headers',
        '',
        '',
      ].join('\r\n'),
    ),
    headerBlock(input.original),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}
