import libmime from 'libmime';
import { renderHtml } from '../scan/spam/html.js';
import { decodeBody, headerValue, leaves, parseMime, toUnicode, type MimePart } from '../scan/spam/mime.js';

/** What delivery records about a message once, so SEARCH and SORT never parse it again. */
export interface IndexedMessage {
  from: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  sentDate: number | null;
  messageId: string;
  inReplyTo: string;
  references: string;
  /** Every header field, name lower-cased, value unfolded and RFC 2047-decoded. */
  headers: Array<{ name: string; value: string }>;
  /**
   * Decoded text of the text parts (HTML reduced to text), for the full-text index, as UTF-8. Bytes,
   * not a string: the text of a 100 KB message crosses two threads to the index's writer, and as a
   * string it was copied on each thread's heap and encoded again for SQLite.
   */
  bodyText: Uint8Array;
}

/** The header fields looked at; a message with more has the rest ignored. */
const MAX_HEADERS = 500;
/** Body text indexed per message; search cannot find words beyond it. */
const MAX_BODY_TEXT = 1 << 20;

function headerBlock(raw: Buffer): string {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf >= 0 ? lf : raw.length;
  return raw.subarray(0, Math.min(end, 1 << 20)).toString('utf8');
}

function decode(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

export function parseHeaders(raw: Buffer): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  const unfolded = headerBlock(raw).replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push({
      name: line.slice(0, colon).trim().toLowerCase(),
      value: decode(line.slice(colon + 1).trim()),
    });
    if (out.length >= MAX_HEADERS) break;
  }
  return out;
}

export async function indexMessage(raw: Buffer): Promise<IndexedMessage> {
  const headers = parseHeaders(raw);
  const first = (name: string) => headers.find((h) => h.name === name)?.value ?? '';
  const all = (name: string) =>
    headers
      .filter((h) => h.name === name)
      .map((h) => h.value)
      .join(', ');
  const date = Date.parse(first('date'));
  return {
    from: all('from'),
    to: all('to'),
    cc: all('cc'),
    bcc: all('bcc'),
    subject: first('subject'),
    sentDate: Number.isFinite(date) ? date : null,
    messageId: first('message-id'),
    inReplyTo: first('in-reply-to'),
    references: first('references'),
    headers,
    bodyText: Buffer.from(bodyText(raw).slice(0, MAX_BODY_TEXT), 'utf8'),
  };
}

/**
 * The readable text of a message: its inline text/plain parts, or, when it has none, its HTML
 * parts rendered to text. The spam engine's tolerant MIME parser does the work: it never throws
 * and is several times cheaper than a full mailparser run, which delivery pays per message.
 */
function bodyText(raw: Buffer): string {
  const inline = leaves(parseMime(raw.toString('latin1'), new Set())).filter(
    (p) => !/^\s*attachment/i.test(headerValue(p.headers, 'content-disposition') ?? ''),
  );
  const text = (p: MimePart) => toUnicode(decodeBody(p), p.params.charset);
  const plain = inline.filter((p) => p.type === 'text/plain');
  if (plain.length) return plain.map(text).join('\n');
  return inline
    .filter((p) => p.type === 'text/html')
    .map((p) => renderHtml(text(p)).text)
    .join('\n');
}

/** The message ids named in References and In-Reply-To, for threading at delivery. */
export function referencedIds(m: Pick<IndexedMessage, 'inReplyTo' | 'references'>): string[] {
  return [...new Set(`${m.references} ${m.inReplyTo}`.match(/<[^<>\s]+>/g) ?? [])];
}
