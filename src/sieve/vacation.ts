import { parseAddressList } from './address.js';

/** Headers that carry the recipients a vacation reply checks for the user's address (RFC 5230 §4.5). */
const RECIPIENT_HEADERS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];
const LIST_HEADERS = [
  'list-id',
  'list-help',
  'list-subscribe',
  'list-unsubscribe',
  'list-post',
  'list-owner',
  'list-archive',
];

/**
 * Why no automatic reply may go out for this message (RFC 3834 §2, RFC 5230 §4.5), or undefined
 * when one may. `own` are the user's addresses, lower-cased.
 */
export function vacationRefusal(
  sender: string,
  header: (name: string) => readonly string[],
  own: string[],
): string | undefined {
  const from = sender.toLowerCase();
  if (!from) return 'the sender is the null reverse path';
  const local = from.slice(0, from.lastIndexOf('@') < 0 ? undefined : from.lastIndexOf('@'));
  if (
    ['mailer-daemon', 'listserv', 'majordomo'].includes(local) ||
    local.startsWith('owner-') ||
    local.endsWith('-request')
  ) {
    return `the sender ${sender} is an automated address`;
  }
  if (own.includes(from)) return 'the sender is the user';
  const auto = header('auto-submitted').find((v) => v.split(';')[0]!.trim().toLowerCase() !== 'no');
  if (auto) return `the message is Auto-Submitted: ${auto}`;
  const precedence = header('precedence').find((v) =>
    ['bulk', 'list', 'junk'].includes(v.trim().toLowerCase()),
  );
  if (precedence) return `the message has Precedence: ${precedence}`;
  const list = LIST_HEADERS.find((h) => header(h).length);
  if (list) return `the message came from a mailing list (${list})`;
  const addressed = RECIPIENT_HEADERS.some((h) =>
    header(h).some((v) => parseAddressList(v).some((a) => own.includes(a.toLowerCase()))),
  );
  if (!addressed) return "none of the user's addresses is in To, Cc or Bcc";
  return undefined;
}
