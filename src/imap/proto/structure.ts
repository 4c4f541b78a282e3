import { type Address, parseAddressList } from './address.js';
import {
  findBodyStart,
  firstField,
  type HeaderField,
  type Param,
  parseHeaderFields,
  parseParams,
} from './headers.js';

export type { Address } from './address.js';
export type { Param } from './headers.js';

/** ENVELOPE fields: header values as sent (encoded words stay encoded), null when absent. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: Address[] | null;
  /** Defaults to `from` when absent, as RFC 3501/9051 ask of the server. */
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

export interface Disposition {
  type: string;
  params: Param[];
}

/**
 * What every part shares. Offsets are absolute in the raw message: the part's MIME header starts at
 * `headerStart`, its body at `bodyStart` and ends at `end`, so any BODY[section] is a slice.
 */
interface PartBase {
  /** Lower-cased. */
  subtype: string;
  params: Param[];
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
  headerStart: number;
  bodyStart: number;
  end: number;
}

export interface SinglePart extends PartBase {
  /** Lower-cased; never `multipart`. */
  type: string;
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding, lower-cased. */
  encoding: string;
  size: number;
  /** Body lines, for text/* and message/rfc822 parts only. */
  lines: number | null;
  md5: string | null;
  /** The enclosed message of a message/rfc822 (or message/global) part. */
  message: { envelope: Envelope; body: BodyStructure } | null;
}

export interface MultiPart extends PartBase {
  type: 'multipart';
  parts: BodyStructure[];
}

export type BodyStructure = SinglePart | MultiPart;

export function isMultipart(b: BodyStructure): b is MultiPart {
  return b.type === 'multipart';
}

/** All a store needs to cache at delivery to answer ENVELOPE, BODY[STRUCTURE] and BODY[section]. */
export interface MessageStructure {
  envelope: Envelope;
  body: BodyStructure;
  size: number;
}

/** Nesting beyond this is treated as opaque data, so a hostile message cannot exhaust the stack. */
const MAX_DEPTH = 40;

export function parseStructure(raw: Buffer): MessageStructure {
  const { envelope, body } = parseMessage(raw, 0, raw.length, 0);
  return { envelope, body, size: raw.length };
}

function parseMessage(
  raw: Buffer,
  start: number,
  end: number,
  depth: number,
): { envelope: Envelope; body: BodyStructure } {
  const bodyStart = findBodyStart(raw, start, end);
  const fields = parseHeaderFields(raw, start, bodyStart);
  return { envelope: envelopeOf(fields), body: parsePart(raw, start, bodyStart, end, fields, false, depth) };
}

function parsePart(
  raw: Buffer,
  headerStart: number,
  bodyStart: number,
  end: number,
  fields: HeaderField[],
  inDigest: boolean,
  depth: number,
): BodyStructure {
  const ctHeader = firstField(fields, 'content-type');
  let ct = ctHeader === undefined ? undefined : parseParams(ctHeader);
  let [type, subtype] = (ct?.value ?? '').split('/', 2).map((s) => s.trim());
  if (!type || !subtype || !/^[!#$%&'*+\-.0-9a-z^_`|~]+$/.test(type + subtype)) {
    [type, subtype] = inDigest ? ['message', 'rfc822'] : ['text', 'plain'];
    ct = { value: `${type}/${subtype}`, params: inDigest ? [] : [['charset', 'us-ascii']] };
  }
  const boundary = ct!.params.find((p) => p[0] === 'boundary')?.[1];
  if (depth >= MAX_DEPTH && (type === 'multipart' || type === 'message'))
    [type, subtype] = ['application', 'octet-stream'];
  if (type === 'multipart' && !boundary) [type, subtype] = ['text', 'plain'];
  const dispHeader = firstField(fields, 'content-disposition');
  const disp = dispHeader ? parseParams(dispHeader) : undefined;
  const lang = firstField(fields, 'content-language');
  const base: PartBase = {
    subtype: subtype!,
    params: ct!.params,
    disposition: disp && disp.value ? { type: disp.value, params: disp.params } : null,
    language: lang
      ? lang
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean)
      : null,
    location: firstField(fields, 'content-location')?.replace(/\s+/g, '') ?? null,
    headerStart,
    bodyStart,
    end,
  };
  if (base.language?.length === 0) base.language = null;
  if (type === 'multipart') {
    const ranges = splitMultipart(raw, bodyStart, end, boundary!);
    const parts = ranges.map(([s, e]) => {
      const bs = findBodyStart(raw, s, e);
      return parsePart(raw, s, bs, e, parseHeaderFields(raw, s, bs), subtype === 'digest', depth + 1);
    });
    if (parts.length === 0) parts.push(emptyPart(bodyStart));
    return { ...base, type: 'multipart', parts };
  }
  const isMessage = type === 'message' && (subtype === 'rfc822' || subtype === 'global');
  const part: SinglePart = {
    ...base,
    type: type!,
    id: firstField(fields, 'content-id') ?? null,
    description: firstField(fields, 'content-description') ?? null,
    encoding: (firstField(fields, 'content-transfer-encoding') ?? '7bit').toLowerCase() || '7bit',
    size: end - bodyStart,
    lines: type === 'text' || isMessage ? countLines(raw, bodyStart, end) : null,
    md5: firstField(fields, 'content-md5') ?? null,
    message: isMessage ? parseMessage(raw, bodyStart, end, depth + 1) : null,
  };
  return part;
}

function emptyPart(at: number): SinglePart {
  return {
    type: 'text',
    subtype: 'plain',
    params: [['charset', 'us-ascii']],
    disposition: null,
    language: null,
    location: null,
    headerStart: at,
    bodyStart: at,
    end: at,
    id: null,
    description: null,
    encoding: '7bit',
    size: 0,
    lines: 0,
    md5: null,
    message: null,
  };
}

function countLines(raw: Buffer, start: number, end: number): number {
  let n = 0;
  let i = raw.indexOf(0x0a, start);
  while (i >= 0 && i < end) {
    n++;
    i = raw.indexOf(0x0a, i + 1);
  }
  return n;
}

/**
 * Byte ranges of the body parts between `--boundary` lines. The line break before a delimiter
 * belongs to the delimiter, so a part does not end with it.
 */
export function splitMultipart(
  raw: Buffer,
  start: number,
  end: number,
  boundary: string,
): Array<[number, number]> {
  const delim = Buffer.from('--' + boundary, 'latin1');
  const ranges: Array<[number, number]> = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const idx = raw.indexOf(delim, pos);
    if (idx < 0 || idx + delim.length > end) break;
    pos = idx + delim.length;
    if (idx !== start && raw[idx - 1] !== 0x0a) continue;
    const after = raw[idx + delim.length];
    const closing = after === 0x2d && raw[idx + delim.length + 1] === 0x2d;
    if (
      !closing &&
      after !== undefined &&
      after !== 0x0d &&
      after !== 0x0a &&
      after !== 0x20 &&
      after !== 0x09 &&
      idx + delim.length < end
    ) {
      continue;
    }
    if (partStart >= 0) {
      let partEnd = idx > start ? idx - 1 : idx;
      if (partEnd > partStart && raw[partEnd - 1] === 0x0d) partEnd--;
      ranges.push([partStart, Math.max(partStart, partEnd)]);
    }
    if (closing) return ranges;
    const lf = raw.indexOf(0x0a, pos);
    partStart = lf < 0 || lf >= end ? end : lf + 1;
    pos = partStart;
  }
  if (partStart >= 0) ranges.push([partStart, end]);
  return ranges;
}

function addresses(fields: HeaderField[], name: string): Address[] | null {
  const value = firstField(fields, name);
  if (value === undefined) return null;
  const list = parseAddressList(value);
  return list.length ? list : null;
}

function envelopeOf(fields: HeaderField[]): Envelope {
  const from = addresses(fields, 'from');
  return {
    date: firstField(fields, 'date') ?? null,
    subject: firstField(fields, 'subject') ?? null,
    from,
    sender: addresses(fields, 'sender') ?? from,
    replyTo: addresses(fields, 'reply-to') ?? from,
    to: addresses(fields, 'to'),
    cc: addresses(fields, 'cc'),
    bcc: addresses(fields, 'bcc'),
    inReplyTo: firstField(fields, 'in-reply-to') ?? null,
    messageId: firstField(fields, 'message-id') ?? null,
  };
}
