// A tolerant MIME tree parser over the raw message held as a latin1 string (one char per byte),
// so byte offsets survive and broken input yields parse flags instead of exceptions.
import { createRequire } from 'node:module';

interface LibMime {
  decodeWords(s: string): string;
  parseHeaderValue(s: string): { value: string; params: Record<string, string> };
}
const libmime = createRequire(import.meta.url)('libmime') as LibMime;

export interface HeaderField {
  name: string;
  /** The value as in the message: latin1 bytes, folding kept, no trailing newline. */
  raw: string;
}

export interface MimePart {
  headers: HeaderField[];
  /** lowercased media type, e.g. text/plain */
  type: string;
  params: Record<string, string>;
  cte: string;
  /** the body as in the message (latin1), before transfer decoding */
  rawBody: string;
  children: MimePart[];
  depth: number;
}

export interface MimeLimits {
  maxParts: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: MimeLimits = { maxParts: 1000, maxDepth: 20 };

/** Parses a header block; returns the fields and where the body starts. */
export function parseHeaderBlock(
  text: string,
  flags: Set<string>,
  top: boolean,
): { headers: HeaderField[]; bodyStart: number } {
  const headers: HeaderField[] = [];
  let pos = 0;
  if (top && text.startsWith('From ')) pos = lineEnd(text, 0);
  while (pos < text.length) {
    const end = lineEnd(text, pos);
    const line = text.slice(pos, end).replace(/\r?\n$/, '');
    if (line === '' || line === '\r') return { headers, bodyStart: end };
    const cont = /^[ \t]/.test(line);
    const last = headers[headers.length - 1];
    if (cont && last) last.raw += '\n' + line;
    else {
      const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:[ \t]*(.*)$/.exec(line);
      if (!m) {
        // SpamAssassin treats the first non-header line as the body start
        flags.add(top ? 'missing_head_body_separator' : 'missing_mime_head_body_separator');
        return { headers, bodyStart: pos };
      }
      if (m[1]!.length > 256) flags.add('truncated_header');
      headers.push({ name: m[1]!, raw: m[2]! });
    }
    pos = end;
  }
  if (top) flags.add('missing_head_body_separator');
  return { headers, bodyStart: text.length };
}

function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl + 1;
}

export function headerValue(headers: HeaderField[], name: string): string | undefined {
  const lname = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lname)?.raw;
}

/** Unfolds as SpamAssassin does: a line break and the blank after it become one space. */
export function unfold(v: string): string {
  return v.replace(/\r?\n[ \t]/g, ' ').replace(/\r?\n/g, '');
}

/** Decodes RFC 2047 words; never throws. */
export function decodeHeader(raw: string): string {
  const bytesAsText = toUnicode(Buffer.from(unfold(raw), 'latin1'), 'utf-8');
  try {
    return libmime.decodeWords(bytesAsText);
  } catch {
    return bytesAsText;
  }
}

export function parseContentType(v: string | undefined): { type: string; params: Record<string, string> } {
  if (!v) return { type: 'text/plain', params: {} };
  try {
    const p = libmime.parseHeaderValue(unfold(v));
    return { type: p.value.toLowerCase().trim() || 'text/plain', params: p.params };
  } catch {
    return { type: 'text/plain', params: {} };
  }
}

/** Bytes in a charset to a string; unknown charsets and invalid UTF-8 fall back to latin1. */
export function toUnicode(buf: Buffer, charset: string | undefined): string {
  const cs = (charset ?? '')
    .toLowerCase()
    .trim()
    .replace(/^["']|["']$/g, '');
  if (!cs || cs === 'us-ascii' || cs === 'ascii' || cs === 'utf-8' || cs === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return buf.toString('latin1');
    }
  }
  try {
    return new TextDecoder(cs).decode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

export function decodeQuotedPrintable(s: string): Buffer {
  const out: number[] = [];
  const text = s.replace(/[ \t]+(\r?\n)/g, '$1');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) {
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
      const soft = /^\r?\n/.exec(text.slice(i + 1, i + 3));
      if (soft) {
        i += soft[0].length;
        continue;
      }
    }
    out.push(c & 0xff);
  }
  return Buffer.from(out);
}

/** The part's body with its Content-Transfer-Encoding undone. */
export function decodeBody(part: MimePart): Buffer {
  if (part.cte === 'base64') return Buffer.from(part.rawBody.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (part.cte === 'quoted-printable') return decodeQuotedPrintable(part.rawBody);
  return Buffer.from(part.rawBody, 'latin1');
}

/** Parses the MIME tree of a message (or part) held as latin1 text. */
export function parseMime(text: string, flags: Set<string>, limits: MimeLimits = DEFAULT_LIMITS): MimePart {
  let count = 0;
  const parse = (t: string, depth: number, top: boolean, defaultType: string): MimePart => {
    count++;
    const { headers, bodyStart } = parseHeaderBlock(t, flags, top);
    const ctRaw = headerValue(headers, 'content-type');
    const ct = ctRaw ? parseContentType(ctRaw) : { type: defaultType, params: {} };
    const part: MimePart = {
      headers,
      type: ct.type,
      params: ct.params,
      cte: (headerValue(headers, 'content-transfer-encoding') ?? '').trim().toLowerCase(),
      rawBody: t.slice(bodyStart),
      children: [],
      depth,
    };
    if (depth >= limits.maxDepth) return part;
    if (part.type.startsWith('multipart/')) {
      const boundary = part.params.boundary;
      if (!boundary) return part;
      const sub = part.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      for (const body of splitMultipart(part.rawBody, boundary, flags)) {
        if (count >= limits.maxParts) {
          flags.add('mimepart_limit_exceeded');
          break;
        }
        if (!/\n\r?\n|^\r?\n/.test(body) && body.trim()) flags.add('missing_mime_head_body_separator');
        part.children.push(parse(body, depth + 1, false, sub));
      }
    } else if (part.type === 'message/rfc822' && count < limits.maxParts) {
      part.children.push(parse(part.rawBody, depth + 1, false, 'text/plain'));
    }
    return part;
  };
  return parse(text, 0, true, 'text/plain');
}

function splitMultipart(body: string, boundary: string, flags: Set<string>): string[] {
  const parts: string[] = [];
  const delim = '--' + boundary;
  let start = -1;
  let pos = 0;
  while (pos <= body.length) {
    const end = lineEnd(body, pos);
    if (body.startsWith(delim, pos)) {
      const rest = body.slice(pos + delim.length, end).trimEnd();
      const closing = rest.startsWith('--');
      if (rest === '' || closing) {
        if (start >= 0) parts.push(body.slice(start, Math.max(start, pos - 1)).replace(/\r$/, ''));
        if (closing) {
          if (body.slice(end).trim()) flags.add('mime_epilogue_exists');
          return parts;
        }
        start = end;
      }
    }
    if (end === pos) break;
    pos = end;
  }
  if (start >= 0) parts.push(body.slice(start));
  return parts;
}

/** Leaf parts in document order. */
export function leaves(part: MimePart, out: MimePart[] = []): MimePart[] {
  if (part.children.length === 0) out.push(part);
  for (const c of part.children) leaves(c, out);
  return out;
}
