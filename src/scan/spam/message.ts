// Everything the rules look at, computed once per message: decoded headers, rendered body
// paragraphs (as SpamAssassin's `body`), raw body chunks, the full text, URIs and MIME facts.
import { renderHtml } from './html.js';
import type { HtmlInfo } from './html.js';
import { DEFAULT_LIMITS, decodeBody, decodeHeader, leaves, parseMime, toUnicode } from './mime.js';
import type { HeaderField, MimeLimits, MimePart } from './mime.js';

export interface TextPart {
  type: string;
  charset: string;
  cte: string;
  /** decoded text (HTML source for text/html) */
  text: string;
  /** rendered text (equals `text` for non-HTML parts) */
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
  /** SpamAssassin `body`: subject first, then one whitespace-collapsed string per paragraph */
  body: string[];
  /** SpamAssassin `rawbody`: decoded text parts in chunks of lines, tags kept */
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

const MAX_PARAGRAPH = 2048;

/** Splits long paragraphs at whitespace so no regex sees more than ~2 KB at once, as SpamAssassin does. */
function shortParagraphs(text: string): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n\n/)) {
    let p = para;
    while (p.length > MAX_PARAGRAPH) {
      let cut = p.lastIndexOf(' ', MAX_PARAGRAPH);
      if (cut < MAX_PARAGRAPH / 2) cut = MAX_PARAGRAPH;
      out.push(p.slice(0, cut));
      p = p.slice(cut);
    }
    out.push(p);
  }
  return out;
}

function chunkLines(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of text.split(/(?<=\n)/)) {
    if (cur.length + line.length > MAX_PARAGRAPH && cur) {
      out.push(cur);
      cur = '';
    }
    cur += line;
    while (cur.length > MAX_PARAGRAPH) {
      out.push(cur.slice(0, MAX_PARAGRAPH));
      cur = cur.slice(MAX_PARAGRAPH);
    }
  }
  if (cur) out.push(cur);
  return out;
}

const URI_IN_TEXT =
  /\b(?:(?:https?|ftp):\/\/|www\d{0,3}\.)[^\s<>"'`{}|\\^[\]]+|\b[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+\b/gi;

function uriVariants(u: string): string[] {
  const t = u.replace(/[.,;:!?)]+$/, '');
  if (/^www/i.test(t)) return [t, 'http://' + t];
  if (/^[\w.+-]+@/.test(t)) return ['mailto:' + t];
  return [t];
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
  for (const part of parts) {
    if (!part.type.startsWith('text/')) continue;
    const charset = part.params.charset ?? '';
    const text = toUnicode(decodeBody(part), charset).slice(0, rawCap).replace(/\r\n?/g, '\n');
    const tp: TextPart = { type: part.type, charset, cte: part.cte, text, rendered: text, part };
    if (
      part.type === 'text/html' ||
      (part.type === 'text/plain' && /^\s*<(!doctype\s+)?html\b/i.test(text))
    ) {
      const info = renderHtml(text);
      tp.html = info;
      tp.rendered = info.text;
      html.push(info);
      for (const u of info.uris) uris.push(u);
    }
    tp.rendered = tp.rendered.slice(0, bodyCap);
    textParts.push(tp);
  }
  const headers = root.headers;
  const subjectRaw = headers.find((h) => h.name.toLowerCase() === 'subject')?.raw;
  const subject = subjectRaw === undefined ? '' : decodeHeader(subjectRaw);
  const visibleText = textParts.map((t) => t.rendered).join('\n');
  // whitespace rules from SpamAssassin's body rendering: blank-line runs split paragraphs, the rest collapses
  const normalized = (subject + '\n\n' + visibleText)
    .replace(/\n[ \t\r\x0b\f]*\n[\s]*/g, '\x00')
    .replace(/[ \t\n\r\x0b\f\u00a0]+/g, ' ')
    .replace(/ ?\x00 ?/g, '\n\n');
  const body = shortParagraphs(normalized).filter((p, i) => i === 0 || p !== '');
  const rawbody = textParts.flatMap((t) => chunkLines(t.text));
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

/** Decoded header values for a name (all instances), unfolded. */
export function headerValues(msg: PreparedMessage, name: string, raw = false): string[] {
  const lname = name.toLowerCase();
  return msg.headers
    .filter((h) => h.name.toLowerCase() === lname)
    .map((h) => (raw ? h.raw : decodeHeader(h.raw)));
}
