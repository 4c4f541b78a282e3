import libmime from 'libmime';
import type { BodyPart, SieveEnvelope, SieveMessageContext } from './context.js';

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
  let parts: BodyPart[] | undefined;
  return {
    envelope,
    header: (name) => header.get(name.toLowerCase())?.map(decodeValue) ?? [],
    rawHeader,
    rawBody: () => body.toString('utf8'),
    bodyParts: () =>
      (parts ??= leafParts({ headers: header, body }, opts.maxParts ?? 64, opts.maxDepth ?? 8)),
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

function leafParts(root: Entity, maxParts: number, maxDepth: number): BodyPart[] {
  const out: BodyPart[] = [];
  const walk = (e: Entity, depth: number) => {
    if (out.length >= maxParts) return;
    const ct = libmime.parseHeaderValue(e.headers.get('content-type')?.[0] ?? 'text/plain');
    const type = (ct.value || 'text/plain').toLowerCase();
    const boundary = ct.params.boundary;
    if (type.startsWith('multipart/') && boundary && depth < maxDepth) {
      for (const chunk of splitMultipart(e.body, boundary)) {
        const { header, bodyStart } = splitEntity(chunk, chunk.length);
        walk({ headers: header, body: chunk.subarray(bodyStart) }, depth + 1);
      }
      return;
    }
    const cte = (e.headers.get('content-transfer-encoding')?.[0] ?? '').trim().toLowerCase();
    const bytes =
      cte === 'base64'
        ? Buffer.from(e.body.toString('latin1'), 'base64')
        : cte === 'quoted-printable'
          ? decodeQuotedPrintable(e.body)
          : e.body;
    out.push({ contentType: type, text: decodeCharset(bytes, ct.params.charset) });
  };
  walk(root, 0);
  return out;
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
