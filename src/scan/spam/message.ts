// Everything the rules look at, computed once per message: decoded headers, rendered body
// paragraphs (as SpamAssassin's `body`), raw body chunks, the full text, URIs and MIME facts.
import { renderHtml, utf8Octets } from './html.js';
import type { HtmlInfo } from './html.js';
import { DEFAULT_LIMITS, decodeBody, decodeHeader, leaves, parseMime, toUnicode, unfold } from './mime.js';
import type { HeaderField, MimeLimits, MimePart } from './mime.js';

export interface TextPart {
  type: string;
  charset: string;
  cte: string;
  /** decoded text as Unicode (HTML source for text/html), for Bayes and the evals */
  text: string;
  /** rendered text as Unicode (equals `text` for non-HTML parts) */
  rendered: string;
  html?: HtmlInfo;
  part: MimePart;
}

export interface PreparedMessage {
  /** the whole message, one char per byte */
  full: string;
  headers: HeaderField[];
  root: MimePart;
  parts: MimePart[];
  textParts: TextPart[];
  flags: Set<string>;
  subject: string;
  /** SpamAssassin `body`: the subject line, then the rendered text one line per paragraph, as octets */
  body: string[];
  /** SpamAssassin `rawbody`: transfer-decoded text parts in chunks, as octets */
  rawbody: string[];
  /** rendered text of all text parts, without the subject */
  visibleText: string;
  uris: string[];
  html: HtmlInfo[];
}

export interface PrepareOptions {
  bodyPartScanSize?: number;
  rawbodyPartScanSize?: number;
  limits?: MimeLimits;
}

// SpamAssassin's MAX_BODY_LINE_LENGTH
const MAX_LINE = 2048;

/** SpamAssassin's split_into_array_of_short_lines: lines, long ones cut after a space. */
function shortLines(text: string): string[] {
  const out: string[] = [];
  for (let line of text.split(/(?<=\n)/)) {
    while (line.length > MAX_LINE) {
      const len = line.lastIndexOf(' ', MAX_LINE) + 1 || MAX_LINE;
      out.push(line.slice(0, len));
      line = line.slice(len);
    }
    out.push(line);
  }
  return out;
}

/** SpamAssassin's split_into_array_of_short_paragraphs: 2-4 KB chunks cut at a newline, '>' or space. */
function shortParagraphs(text: string): string[] {
  if (text.length <= MAX_LINE) return [text];
  const out: string[] = [];
  let ofs = 0;
  for (; text.length - ofs > 2 * MAX_LINE;) {
    let j = -1;
    for (const ch of ['\n', '>', ' ']) {
      j = text.indexOf(ch, ofs + MAX_LINE);
      if (j >= 0 && j - ofs + 1 <= 2 * MAX_LINE) break;
      j = -1;
    }
    if (j < 0) j = ofs + MAX_LINE;
    out.push(text.slice(ofs, j + 1));
    ofs = j + 1;
  }
  if (ofs < text.length) out.push(text.slice(ofs));
  return out;
}

/** SpamAssassin's cut of a part to its scan size: at a newline (or the given others) within 1 KB past it. */
function truncate(text: string, size: number, at: string[]): string {
  if (!size || text.length <= size) return text;
  for (const ch of at) {
    const idx = text.indexOf(ch, size);
    if (idx >= 0 && idx - size <= 1024) return text.slice(0, idx + 1);
  }
  return text.slice(0, size);
}

const URI_IN_TEXT =
  /\b(?:(?:https?|ftp):\/\/|www\d{0,3}\.)[^\s<>"'`{}|\\^[\]]+|\b[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+\b/gi;

function uriVariants(u: string): string[] {
  const t = u.replace(/[.,;:!?)]+$/, '');
  if (/^www/i.test(t)) return [t, 'http://' + t];
  if (/^[\w.+-]+@/.test(t)) return ['mailto:' + t];
  return [t];
}

// Perl's \s on a character string and on a byte string
const UNI_BLANK_LINES = /\n+[\t\n\x0b\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\n+/g;
const UNI_SPACES = /[\t\n\x0b\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
const BYTE_BLANK_LINES = /\n+[\t\n\x0b\f\r ]*\n+/g;
const BYTE_SPACES = /[\t\n\x0b\f\r ]+/g;

function decodeStrict(bytes: Buffer, charset: string): string | undefined {
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decoding as SpamAssassin 4's Node::_normalize (normalize_charset is on by default): all-ASCII
 * text stays bytes (undefined here); otherwise UTF-8 if it is valid, then the declared charset
 * (ISO-8859-1 read as Windows-1252), then Windows-1252 as its guess and last resort.
 */
function saDecode(bytes: Buffer, latin: string, charset: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(latin)) return undefined;
  const utf8 = decodeStrict(bytes, 'utf-8');
  if (utf8 !== undefined) return utf8;
  if (charset && !/^(?:us-)?ascii$|^utf-?8$/.test(charset)) {
    const declared = decodeStrict(bytes, /^(?:iso-?8859-1|cp1252)$/.test(charset) ? 'windows-1252' : charset);
    if (declared !== undefined) return declared;
  }
  return new TextDecoder('windows-1252').decode(bytes);
}

/**
 * A part's text as SpamAssassin renders it: decoded to characters (kept as bytes when all-ASCII),
 * HTML rendered; `chars` says whether Perl would hold it as a character string.
 */
function saRender(
  bytes: Buffer,
  type: string,
  charset: string,
): { text: string; chars: boolean; html?: HtmlInfo } {
  const latin = bytes.toString('latin1');
  const decoded = saDecode(bytes, latin, charset);
  if (type === 'text/html' && latin !== '') {
    const html = renderHtml(decoded ?? latin);
    // Perl keeps ASCII input a byte string unless a character reference above U+00FF upgrades it
    return { text: html.text, chars: decoded !== undefined || /[^\x00-\xff]/.test(html.text), html };
  }
  return { text: decoded ?? latin, chars: decoded !== undefined };
}

/** Prepares a raw message for scanning; never throws on malformed input. */
export function prepareMessage(raw: Buffer, opts: PrepareOptions = {}): PreparedMessage {
  const full = raw.toString('latin1');
  const flags = new Set<string>();
  const root = parseMime(full, flags, opts.limits ?? DEFAULT_LIMITS);
  const parts = leaves(root);
  const bodyCap = opts.bodyPartScanSize ?? 50_000;
  const rawCap = opts.rawbodyPartScanSize ?? 500_000;
  const textParts: TextPart[] = [];
  const html: HtmlInfo[] = [];
  const uris: string[] = [];
  const rawbody: string[] = [];
  const rendered: string[] = [];
  let chars = false;
  for (const part of parts) {
    const isText = part.type.startsWith('text/');
    if (!isText && !part.type.startsWith('message/')) continue;
    if (part.type === 'text/calendar') continue;
    const bytes = decodeBody(part);
    rawbody.push(...shortParagraphs(truncate(bytes.toString('latin1'), rawCap, ['\n', '>', ' '])));
    if (part.type !== 'text/plain' && part.type !== 'text/html') continue;
    const charset = (part.params.charset ?? '')
      .trim()
      .replace(/^["']|["']$/g, '')
      .toLowerCase();
    const r = saRender(bytes, part.type, charset);
    // a byte string joined to a character string is read as Latin-1, as Perl upgrades it
    if (r.chars) chars = true;
    rendered.push(truncate(r.text, bodyCap, ['\n', ' ']));
    const text = (r.html ? toUnicode(bytes, charset) : r.text).replace(/\r\n?/g, '\n');
    const tp: TextPart = { type: part.type, charset, cte: part.cte, text, rendered: text, part };
    if (r.html) {
      tp.html = r.html;
      tp.rendered = r.html.text;
      html.push(r.html);
      for (const u of r.html.uris) uris.push(u);
    }
    tp.rendered = tp.rendered.slice(0, bodyCap);
    textParts.push(tp);
  }
  const headers = root.headers;
  const subjectRaw = headers.find((h) => h.name.toLowerCase() === 'subject')?.raw;
  const subject = subjectRaw === undefined ? '' : decodeHeader(subjectRaw);
  const visibleText = textParts.map((t) => t.rendered).join('\n');
  // SpamAssassin's whitespace rules: blank-line runs end a paragraph, other whitespace collapses
  let text = rendered
    .join('\n')
    .replace(chars ? UNI_BLANK_LINES : BYTE_BLANK_LINES, '\x00')
    .replace(chars ? UNI_SPACES : BYTE_SPACES, ' ')
    .replace(/\x00/g, '\n');
  if (chars) text = utf8Octets(text);
  const subjectLine = (subject ? utf8Octets(subject.replace(/\r?\n/g, '')) : '') + '\n';
  const body = shortLines(subjectLine + text);
  for (const t of textParts)
    for (const m of t.rendered.matchAll(URI_IN_TEXT)) uris.push(...uriVariants(m[0]));
  return {
    full,
    headers,
    root,
    parts,
    textParts,
    flags,
    subject,
    body,
    rawbody,
    visibleText,
    uris: [...new Set(uris)],
    html,
  };
}

// SpamAssassin leaves encoded-words in these as they are (its bugs 6945 and 7249)
const NOT_MIME_DECODED =
  /^(?:received|(?:resent-)?(?:message-id|date)|mime-version|references|in-reply-to|list-.*)$/i;

/** A header value as SpamAssassin's header rules see it: unfolded, encoded-words decoded, UTF-8 octets. */
export function headerOctets(name: string, raw: string): string {
  if (NOT_MIME_DECODED.test(name) || !raw.includes('=?')) {
    const v = unfold(raw);
    // eslint-disable-next-line no-control-regex
    return /[^\x00-\x7f]/.test(v) ? utf8Octets(toUnicode(Buffer.from(v, 'latin1'), 'utf-8')) : v;
  }
  return utf8Octets(decodeHeader(raw));
}

/** Header values for a name (all instances) as header rules see them; raw keeps the folding. */
export function headerValues(msg: PreparedMessage, name: string, raw = false): string[] {
  const lname = name.toLowerCase();
  return msg.headers
    .filter((h) => h.name.toLowerCase() === lname)
    .map((h) => (raw ? h.raw : headerOctets(h.name, h.raw)));
}
