import libmime from 'libmime';
import type { BodyPart, MimePart, SieveEnvelope, SieveMessageContext } from './context.js';

export interface MessageContextOptions {
  now?: Date;
  zoneOffset?: number;
  /** Host name for the "host" and "domain" environment items. */
  host?: string;
  environment?: Record<string, string>;
  userAddresses?: string[];
  mailboxExists?: SieveMessageContext['mailboxExists'];
  duplicate?: SieveMessageContext['duplicate'];
  vacationReplied?: SieveMessageContext['vacationReplied'];
  /** Header bytes considered; fields beyond are invisible to the script. */
  maxHeaderBytes?: number;
  /** Body bytes considered by the body test; the rest of a large message is not decoded. */
  maxBodyBytes?: number;
  maxParts?: number;
  maxDepth?: number;
  /**
   * Whether the X-Spam-Status field is our own scanner's (the spam stage replaces any that came
   * with the message), so spamtest may read it; when false spamtest answers "not tested".
   */
  trustSpamStatus?: boolean;
  /** The virus scanner's verdict (RFC 5235 §3.2 scale), when the message went through it. */
  virusVerdict?: number;
}

interface Entity {
  headers: Map<string, string[]>;
  body: Buffer;
}

/**
 * Builds the script's view of a message held in memory. Work is bounded: only the first
 * maxHeaderBytes of header and maxBodyBytes of body are looked at, MIME parsing stops after
 * maxParts leaves or maxDepth nesting, and the body is decoded only when a body test asks.
 */
export function messageContextFromRaw(
  raw: Buffer,
  envelope: SieveEnvelope,
  opts: MessageContextOptions = {},
): SieveMessageContext {
  const maxHeader = opts.maxHeaderBytes ?? 256 * 1024;
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const { header, bodyStart, rawHeader } = splitEntity(raw.subarray(0, maxHeader + maxBody), maxHeader);
  const body = raw.subarray(bodyStart, bodyStart + maxBody);
  const host = opts.host ?? 'localhost';
  let tree: MimePart | undefined;
  let parts: BodyPart[] | undefined;
  const mimeTree = () =>
    (tree ??= mimeEntity({ headers: header, body }, opts.maxParts ?? 64, opts.maxDepth ?? 8));
  return {
    envelope,
    header: decodedHeader(header),
    rawHeader,
    rawBody: () => body.toString('utf8'),
    bodyParts: () =>
      (parts ??= leaves(mimeTree()).map((p) => ({ contentType: p.contentType, text: p.text() }))),
    mimeTree,
    spamRatio: () =>
      opts.trustSpamStatus === false ? undefined : spamStatusRatio(header.get('x-spam-status')?.[0]),
    virusVerdict: () => opts.virusVerdict,
    size: raw.length,
    now: opts.now ?? new Date(),
    ...(opts.zoneOffset !== undefined ? { zoneOffset: opts.zoneOffset } : {}),
    environment: {
      name: 'Mailstead',
      host,
      domain: host.includes('.') ? host.slice(host.indexOf('.') + 1) : host,
      location: 'MDA',
      phase: 'during',
      ...opts.environment,
    },
    userAddresses: opts.userAddresses ?? [],
    mailboxExists: opts.mailboxExists ?? (() => false),
    duplicate: opts.duplicate ?? (() => false),
    vacationReplied: opts.vacationReplied ?? (() => false),
  };
}

/**
 * Field lookup, RFC 2047-decoding each field once: a rule-editor script tests the same few
 * fields in every rule, and decoding dominated the run. Callers must not mutate the arrays.
 */
function decodedHeader(fields: Map<string, string[]>): (name: string) => readonly string[] {
  // Keyed by the name as asked (usually a constant of the script) and lower-cased.
  const decoded = new Map<string, string[]>();
  return (name) => {
    let values = decoded.get(name);
    if (values) return values;
    const key = name.toLowerCase();
    values = decoded.get(key) ?? fields.get(key)?.map(decodeValue) ?? [];
    decoded.set(key, values);
    decoded.set(name, values);
    return values;
  };
}

function decodeValue(v: string): string {
  try {
    return libmime.decodeWords(v);
  } catch {
    return v;
  }
}

/** Splits an entity at its first empty line and unfolds its header fields (names lower-cased). */
function splitEntity(
  buf: Buffer,
  maxHeader: number,
): { header: Map<string, string[]>; bodyStart: number; rawHeader: string } {
  let end = -1;
  let bodyStart = buf.length;
  const limit = Math.min(buf.length, maxHeader);
  if (buf[0] === 0x0a || (buf[0] === 0x0d && buf[1] === 0x0a)) {
    end = 0;
    bodyStart = buf[0] === 0x0a ? 1 : 2;
  }
  for (let i = 0; end < 0 && i < limit; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) [end, bodyStart] = [i + 1, i + 2];
    else if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) [end, bodyStart] = [i + 1, i + 3];
  }
  if (end < 0) end = limit;
  const rawHeader = buf.subarray(0, end).toString('utf8');
  const header = new Map<string, string[]>();
  let current: { name: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const list = header.get(current.name) ?? [];
    list.push(current.value.trim());
    header.set(current.name, list);
  };
  for (const line of rawHeader.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && current) {
      current.value += line;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    current =
      colon > 0
        ? { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) }
        : undefined;
  }
  flush();
  return { header, bodyStart, rawHeader };
}

/**
 * The MIME tree, at most maxParts entities and maxDepth levels deep; a part's content is decoded
 * only when asked for.
 */
function mimeEntity(root: Entity, maxParts: number, maxDepth: number): MimePart {
  let count = 0;
  const build = (e: Entity, depth: number): MimePart => {
    count++;
    const ct = libmime.parseHeaderValue(e.headers.get('content-type')?.[0] ?? 'text/plain');
    const type = (ct.value || 'text/plain').toLowerCase();
    const boundary = ct.params.boundary;
    const children: MimePart[] = [];
    const multipart = type.startsWith('multipart/') && !!boundary;
    if (multipart && depth < maxDepth) {
      for (const chunk of splitMultipart(e.body, boundary)) {
        if (count >= maxParts) break;
        const { header, bodyStart } = splitEntity(chunk, chunk.length);
        children.push(build({ headers: header, body: chunk.subarray(bodyStart) }, depth + 1));
      }
    }
    let text: string | undefined;
    return {
      header: decodedHeader(e.headers),
      contentType: type,
      children,
      text: () => (text ??= multipart ? '' : decodeContent(e, ct.params.charset)),
    };
  };
  return build(root, 0);
}

function leaves(p: MimePart): MimePart[] {
  return p.children.length || p.contentType.startsWith('multipart/') ? p.children.flatMap(leaves) : [p];
}

function decodeContent(e: Entity, charset: string | undefined): string {
  const cte = (e.headers.get('content-transfer-encoding')?.[0] ?? '').trim().toLowerCase();
  const bytes =
    cte === 'base64'
      ? Buffer.from(e.body.toString('latin1'), 'base64')
      : cte === 'quoted-printable'
        ? decodeQuotedPrintable(e.body)
        : e.body;
  return decodeCharset(bytes, charset);
}

/**
 * Our spam stage's verdict, "Yes, score=7.3 required=5.0 tests=…", as score/required (clamped to
 * 0…1): the required score is where the scanner calls mail spam, the top of RFC 5235's scale.
 */
function spamStatusRatio(status: string | undefined): number | undefined {
  if (!status) return undefined;
  const score = /\bscore=(-?\d+(?:\.\d+)?)/.exec(status)?.[1];
  const required = /\brequired=(-?\d+(?:\.\d+)?)/.exec(status)?.[1];
  if (score === undefined || required === undefined || Number(required) <= 0) return undefined;
  return Math.min(Math.max(Number(score) / Number(required), 0), 1);
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delim = `--${boundary}`;
  const chunks: Buffer[] = [];
  let pos = text.startsWith(delim) ? 0 : text.indexOf(`\n${delim}`);
  while (pos >= 0) {
    const start = text.indexOf('\n', pos + 1);
    if (start < 0 || text.startsWith(`${delim}--`, text[pos] === '\n' ? pos + 1 : pos)) break;
    const next = text.indexOf(`\n${delim}`, start);
    const end = next < 0 ? text.length : next;
    chunks.push(body.subarray(start + 1, end > start && text[end - 1] === '\r' ? end - 1 : end));
    pos = next;
  }
  return chunks;
}

function decodeQuotedPrintable(buf: Buffer): Buffer {
  const s = buf.toString('latin1').replace(/=\r?\n/g, '');
  return Buffer.from(
    s.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}
