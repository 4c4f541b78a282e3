/**
 * Appends a disclaimer to a message without breaking its MIME structure (SCOoffice's
 * disclaimers, altermime's job in Postfix setups): the plain text body gets the text, an HTML body
 * gets the HTML before `</body>`, a multipart/alternative gets both, a multipart/mixed or
 * related gets it in its first (body) part. Signed or encrypted messages (multipart/signed,
 * multipart/encrypted, S/MIME, inline PGP) are returned as they are, since any change would
 * break the signature. The message is handled as bytes (latin1 strings): every byte not in the
 * changed part is kept as it was.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/config.js';

export interface Disclaimer {
  text: string;
  /** HTML fragment; empty = the text, escaped, in a paragraph. */
  html: string;
}

interface Part {
  head: string;
  body: string;
  eol: string;
}

/** The header block and body of an entity; a separator is CRLF CRLF, or LF LF in LF-only text. */
function splitEntity(s: string): Part | undefined {
  const crlf = s.indexOf('\r\n\r\n');
  const lf = s.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf))
    return { head: s.slice(0, crlf + 2), body: s.slice(crlf + 4), eol: '\r\n' };
  if (lf >= 0) return { head: s.slice(0, lf + 1), body: s.slice(lf + 2), eol: '\n' };
  return undefined;
}

/** The unfolded value of a header field, or undefined. */
function header(head: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|\\n)${name}[ \\t]*:([^\\n]*(?:\\n[ \\t][^\\n]*)*)`, 'i');
  const m = re.exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]/g, ' ').trim() : undefined;
}

/** Removes a header field (with its continuation lines). */
function dropHeader(head: string, name: string): string {
  return head.replace(new RegExp(`(^|\\n)${name}[ \\t]*:[^\\n]*\\n(?:[ \\t][^\\n]*\\n)*`, 'gi'), '$1');
}

function mediaType(value: string | undefined): string {
  return (value ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
}

function param(value: string | undefined, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value ?? '');
  return m ? (m[1]?.replace(/\\(.)/g, '$1') ?? m[2]) : undefined;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Quoted-printable (RFC 2045 §6.7) of bytes given as a latin1 string, lines of at most 76. */
export function qpEncode(bytes: string, eol: string): string {
  return bytes
    .split(/\r?\n/)
    .map((line) => {
      let out = '';
      let len = 0;
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        const last = i === line.length - 1;
        const plain = (c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && !last);
        const piece = plain ? line[i]! : `=${c.toString(16).toUpperCase().padStart(2, '0')}`;
        if (len + piece.length > 75) {
          out += `=${eol}`;
          len = 0;
        }
        out += piece;
        len += piece.length;
      }
      return out;
    })
    .join(eol);
}

function base64Wrap(bytes: Buffer, eol: string): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join(eol) + eol;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function htmlOf(d: Disclaimer): string {
  return d.html || `<p>${escapeHtml(d.text).replace(/\r?\n/g, '<br>')}</p>`;
}

/**
 * The part with `addition` (a JS string) appended to its decoded content, re-encoded in the
 * part's transfer encoding; undefined when the part's charset cannot carry the addition.
 */
function appendToLeaf(p: Part, addition: (decoded: string) => string): string | undefined {
  const type = header(p.head, 'content-type');
  const cte = (header(p.head, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = (param(type, 'charset') ?? 'us-ascii').toLowerCase();
  let head = p.head;
  let encode: (s: string) => Buffer;
  if (charset === 'utf-8' || charset === 'utf8') encode = (s) => Buffer.from(s, 'utf8');
  else if (/^(?:iso-8859-1|latin1|windows-1252|us-ascii|ascii)$/.test(charset)) {
    encode = (s) => Buffer.from(s, 'latin1');
  } else return undefined;
  let decoded: Buffer;
  if (cte === 'base64') decoded = Buffer.from(p.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (cte === 'quoted-printable') decoded = qpDecode(p.body);
  else if (cte === '7bit' || cte === '8bit' || cte === 'binary') decoded = Buffer.from(p.body, 'latin1');
  else return undefined;
  const added = addition(decoded.toString(charset.startsWith('utf') ? 'utf8' : 'latin1'));
  if (!ASCII.test(added)) {
    if (charset === 'us-ascii' || charset === 'ascii') {
      // US-ASCII is a subset of UTF-8: declaring UTF-8 keeps the existing text as it was.
      encode = (s) => Buffer.from(s, 'utf8');
      const ct = type ?? 'text/plain';
      const next = /;\s*charset\s*=/i.test(ct)
        ? ct.replace(/(;\s*charset\s*=\s*)("[^"]*"|[^;\s]+)/i, '$1utf-8')
        : `${ct}; charset=utf-8`;
      head = `${dropHeader(head, 'content-type')}Content-Type: ${next}${p.eol}`;
    } else if (!charset.startsWith('utf') && [...added].some((c) => c.charCodeAt(0) > 0xff)) return undefined;
  }
  const bytes = encode(added);
  if (cte === 'base64') return head + p.eol + base64Wrap(bytes, p.eol);
  if (cte === 'quoted-printable' || (cte === '7bit' && !ASCII.test(bytes.toString('latin1')))) {
    if (cte === '7bit')
      head = `${dropHeader(head, 'content-transfer-encoding')}Content-Transfer-Encoding: quoted-printable${p.eol}`;
    return head + p.eol + qpEncode(bytes.toString('latin1'), p.eol);
  }
  return head + p.eol + bytes.toString('latin1');
}

function qpDecode(s: string): Buffer {
  const bytes = s
    .replace(/[ \t]+(?=\r?\n)/g, '')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1');
}

function appendText(p: Part, d: Disclaimer): string | undefined {
  if (!d.text) return undefined;
  return appendToLeaf(p, (body) => {
    const nl = body.endsWith('\n') ? '' : p.eol;
    return `${body}${nl}${p.eol}${d.text.replace(/\r?\n/g, p.eol)}${p.eol}`;
  });
}

function appendHtml(p: Part, d: Disclaimer): string | undefined {
  const html = htmlOf(d);
  if (!html) return undefined;
  return appendToLeaf(p, (body) => {
    const at = body.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
    return at >= 0
      ? `${body.slice(0, at)}${html}${p.eol}${body.slice(at)}`
      : `${body}${p.eol}${html}${p.eol}`;
  });
}

interface Multipart {
  preamble: string;
  /** Each delimiter line as written (with the line break before and after it), then its part. */
  delimiters: string[];
  parts: string[];
  /** From the line break before the close delimiter to the end (epilogue included). */
  tail: string;
}

function splitMultipart(body: string, boundary: string): Multipart | undefined {
  const esc = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|\\r?\\n)--${esc}(--)?[ \\t]*(?=\\r?\\n|$)`, 'g');
  const marks: { start: number; end: number }[] = [];
  for (let m = re.exec(body); m; m = re.exec(body)) {
    marks.push({ start: m.index, end: m.index + m[0].length });
    if (m[2]) break;
  }
  if (marks.length < 2) return undefined;
  const out: Multipart = { preamble: body.slice(0, marks[0]!.start), delimiters: [], parts: [], tail: '' };
  for (let i = 0; i < marks.length - 1; i++) {
    const lineEnd = body.indexOf('\n', marks[i]!.end);
    if (lineEnd < 0 || lineEnd >= marks[i + 1]!.start) return undefined;
    out.delimiters.push(body.slice(marks[i]!.start, lineEnd + 1));
    out.parts.push(body.slice(lineEnd + 1, marks[i + 1]!.start));
  }
  out.tail = body.slice(marks[marks.length - 1]!.start);
  return out;
}

/** The entity with the disclaimer in it, or undefined when it has nowhere to go. */
function disclaim(entity: string, d: Disclaimer, depth: number): string | undefined {
  const p = splitEntity(entity);
  if (!p || depth > 8) return undefined;
  const ctValue = header(p.head, 'content-type');
  const type = mediaType(ctValue);
  if (type === 'text/plain') return appendText(p, d);
  if (type === 'text/html') return appendHtml(p, d);
  if (!type.startsWith('multipart/') || type === 'multipart/signed' || type === 'multipart/encrypted')
    return undefined;
  const boundary = param(ctValue, 'boundary');
  if (!boundary) return undefined;
  const split = splitMultipart(p.body, boundary);
  if (!split) return undefined;
  // An alternative holds the same content twice: both get it. Otherwise the first part is the body.
  const targets = type === 'multipart/alternative' ? split.parts.map((_, i) => i) : [0];
  let changed = false;
  for (const i of targets) {
    const next = disclaim(split.parts[i]!, d, depth + 1);
    if (next !== undefined) {
      split.parts[i] = next;
      changed = true;
    }
  }
  if (!changed) return undefined;
  return (
    p.head +
    p.eol +
    split.preamble +
    split.parts.map((part, i) => split.delimiters[i]! + part).join('') +
    split.tail
  );
}

const SIGNED_TYPES = /^(?:multipart\/signed|multipart\/encrypted|application\/(?:x-)?pkcs7-mime)$/;
const INLINE_PGP = /^-----BEGIN PGP (?:SIGNED )?MESSAGE-----/m;

/** The message with the disclaimer, or undefined when it must stay as it is (signed, or no body to add to). */
export function addDisclaimer(message: Buffer, d: Disclaimer): Buffer | undefined {
  if (!d.text && !d.html) return undefined;
  const s = message.toString('latin1');
  const p = splitEntity(s);
  if (!p) return undefined;
  if (SIGNED_TYPES.test(mediaType(header(p.head, 'content-type'))) || INLINE_PGP.test(p.body))
    return undefined;
  const out = disclaim(s, d, 0);
  return out === undefined ? undefined : Buffer.from(out, 'latin1');
}

/**
 * The disclaimer for mail from an authenticated sender of a domain: `DOMAIN.txt` and
 * `DOMAIN.html` in `disclaimer.dir` when either exists, else `disclaimer.text` and
 * `disclaimer.html`. Files are read again when they change (checked every few seconds).
 */
export class Disclaimers {
  private readonly files = new Map<string, { at: number; value: Disclaimer | undefined }>();

  constructor(
    private readonly config: Config,
    private readonly recheckMs = 5000,
  ) {}

  private fromFiles(domain: string): Disclaimer | undefined {
    const dir = this.config.path('disclaimer.dir');
    const key = `${dir}/${domain}`;
    const memo = this.files.get(key);
    if (memo && Date.now() - memo.at < this.recheckMs) return memo.value;
    const read = (ext: string) => {
      try {
        return readFileSync(join(dir, `${domain}.${ext}`), 'utf8').replace(/\s+$/, '');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw e;
      }
    };
    const text = read('txt');
    const html = read('html');
    const value = text || html ? { text, html } : undefined;
    this.files.set(key, { at: Date.now(), value });
    return value;
  }

  /** The disclaimer for a sender's domain, or undefined for none. */
  for(domain: string): Disclaimer | undefined {
    const d = domain.toLowerCase();
    // A domain name never holds a path separator, but the file name must not be steerable.
    if (!/^[a-z0-9.-]+$/.test(d) || d.startsWith('.')) return undefined;
    const own = this.fromFiles(d);
    if (own) return own;
    const text = this.config.get<string>('disclaimer.text');
    const html = this.config.get<string>('disclaimer.html');
    return text || html ? { text, html } : undefined;
  }

  /**
   * What a sender's mail gets: the personal disclaimer (ADDRESS.txt / ADDRESS.html in
   * disclaimer.dir, e.g. alice@example.com.txt) followed by that of the domain (or the global one).
   */
  forSender(address: string): Disclaimer | undefined {
    const a = address.toLowerCase();
    const domain = this.for(a.slice(a.lastIndexOf('@') + 1));
    // Only plain addresses name a file: nothing in them can leave the directory.
    const personal = /^[a-z0-9][a-z0-9._+=-]*@[a-z0-9.-]+$/.test(a) ? this.fromFiles(a) : undefined;
    if (!personal || !domain) return personal ?? domain;
    return {
      text: [personal.text, domain.text].filter(Boolean).join('\n\n'),
      html: htmlOf(personal) + htmlOf(domain),
    };
  }

  /** The message as it should leave: with the disclaimers of its authenticated sender. */
  apply(authUser: string | null, message: Buffer): Buffer {
    if (!authUser) return message;
    const d = this.forSender(authUser);
    return (d && addDisclaimer(message, d)) ?? message;
  }
}
