import type { Partial, Section } from './parser/fetch.js';
import { type BodyStructure, isMultipart, type MessageStructure } from './structure.js';

/** The part a dotted number names; a non-multipart body is its own part 1. */
export function findPart(body: BodyStructure, path: readonly number[]): BodyStructure | undefined {
  let node: BodyStructure = body;
  for (let i = 0; i < path.length; i++) {
    const n = path[i]!;
    if (i > 0 && !isMultipart(node) && node.message) node = node.message.body;
    if (isMultipart(node)) {
      const child = node.parts[n - 1];
      if (!child) return undefined;
      node = child;
    } else if (n !== 1) {
      return undefined;
    }
  }
  return node;
}

/** Header and text ranges of the message a section addresses (the root, or a message/rfc822 part). */
function messageRange(
  structure: MessageStructure,
  path: readonly number[],
): { header: number; body: number; end: number } | undefined {
  if (path.length === 0) return { header: 0, body: structure.body.bodyStart, end: structure.size };
  const node = findPart(structure.body, path);
  if (!node || isMultipart(node) || !node.message) return undefined;
  return { header: node.bodyStart, body: node.message.body.bodyStart, end: node.end };
}

/**
 * Where BODY[section] (before any partial) lies in the message the structure was computed from;
 * `filter` when it is that header range with only some fields kept (HEADER.FIELDS, .NOT); null
 * when the message has no such part.
 */
export function locateSection(
  structure: MessageStructure,
  section: Section,
): { start: number; end: number; filter: boolean } | null {
  const { part, text } = section;
  const at = (start: number, end: number, filter = false) => ({ start, end, filter });
  if (text === undefined) {
    if (part.length === 0) return at(0, structure.size);
    const node = findPart(structure.body, part);
    return node ? at(node.bodyStart, node.end) : null;
  }
  if (text === 'MIME') {
    const node = findPart(structure.body, part);
    return node ? at(node.headerStart, node.bodyStart) : null;
  }
  const range = messageRange(structure, part);
  if (!range) return null;
  if (text === 'TEXT') return at(range.body, range.end);
  return at(range.header, range.body, text !== 'HEADER');
}

/**
 * The bytes of BODY[section] (before any partial), or null when the message has no such part.
 * The raw message is the one the structure was computed from.
 */
export function extractSection(raw: Buffer, structure: MessageStructure, section: Section): Buffer | null {
  const at = locateSection(structure, section);
  if (!at) return null;
  const data = raw.subarray(at.start, at.end);
  return at.filter ? filterHeader(data, section.fields, section.text === 'HEADER.FIELDS.NOT') : data;
}

/** The header lines (with their folding) whose names are, or are not, in `fields`; then CRLF. */
export function filterHeader(header: Buffer, fields: readonly string[], not: boolean): Buffer {
  const wanted = new Set(fields.map((f) => f.toLowerCase()));
  const out: Buffer[] = [];
  let i = 0;
  while (i < header.length) {
    const b = header[i]!;
    if (b === 0x0d || b === 0x0a) break;
    let end = nextLine(header, i);
    while (end < header.length && (header[end] === 0x20 || header[end] === 0x09)) end = nextLine(header, end);
    const colon = header.indexOf(0x3a, i);
    const name = colon > i && colon < end ? header.toString('latin1', i, colon).trim().toLowerCase() : '';
    if (name && wanted.has(name) !== not) {
      const line = header.subarray(i, end);
      out.push(line);
      if (line[line.length - 1] !== 0x0a) out.push(CRLF);
    }
    i = end;
  }
  out.push(CRLF);
  return Buffer.concat(out);
}

const CRLF = Buffer.from('\r\n');

function nextLine(buf: Buffer, from: number): number {
  const lf = buf.indexOf(0x0a, from);
  return lf < 0 ? buf.length : lf + 1;
}

/** `<offset.length>` applied; an offset past the end gives an empty string, as the RFC says. */
export function applyPartial(data: Buffer, partial: Partial | undefined): Buffer {
  if (!partial) return data;
  return data.subarray(
    Math.min(partial.offset, data.length),
    Math.min(partial.offset + partial.length, data.length),
  );
}

/**
 * Where the content of BINARY[part] lies, with the transfer encoding to undo ('' for none); null
 * for a missing or multipart part.
 */
export function locateBinary(
  structure: MessageStructure,
  part: readonly number[],
): { start: number; end: number; encoding: string } | null {
  if (part.length === 0) return { start: 0, end: structure.size, encoding: '' };
  const node = findPart(structure.body, part);
  if (!node || isMultipart(node)) return null;
  return { start: node.bodyStart, end: node.end, encoding: node.encoding };
}

/**
 * BINARY[part]: the part's content with its transfer encoding undone. `undefined` for an encoding
 * we cannot undo (answer NO [UNKNOWN-CTE]), null for a missing or multipart part.
 */
export function extractBinary(
  raw: Buffer,
  structure: MessageStructure,
  part: readonly number[],
): Buffer | null | undefined {
  const at = locateBinary(structure, part);
  return at && decodeTransferEncoding(raw.subarray(at.start, at.end), at.encoding);
}

/** Transfer encodings whose content is the bytes as they are. */
export const NO_ENCODING: ReadonlySet<string> = new Set(['7bit', '8bit', 'binary', '']);

export function decodeTransferEncoding(data: Buffer, encoding: string): Buffer | undefined {
  if (NO_ENCODING.has(encoding)) return data;
  switch (encoding) {
    case 'base64':
      return Buffer.from(data.toString('latin1'), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(data);
    default:
      return undefined;
  }
}

/** Undoes a transfer encoding chunk by chunk: what `push` returns, then `end`, is the decoded whole. */
export interface TransferDecoder {
  push(chunk: Buffer): Buffer;
  end(): Buffer;
}

/**
 * A decoder giving, over any split of the input into chunks, the bytes `decodeTransferEncoding`
 * gives for the whole; undefined for an encoding it cannot undo.
 */
export function transferDecoder(encoding: string): TransferDecoder | undefined {
  if (NO_ENCODING.has(encoding)) return { push: (chunk) => chunk, end: () => Buffer.alloc(0) };
  switch (encoding) {
    case 'base64':
      return base64Decoder();
    case 'quoted-printable':
      return quotedPrintableDecoder();
    default:
      return undefined;
  }
}

/** Characters Node's base64 decoder reads (both alphabets); every other one it skips. */
const NOT_BASE64 = /[^A-Za-z0-9+/_-]+/g;

/**
 * Node's base64 decoding in pieces: characters outside the alphabets are skipped, the first `=`
 * ends the data, and groups of four are decoded as they fill (a last group of 2 or 3 gives 1 or
 * 2 bytes).
 */
function base64Decoder(): TransferDecoder {
  let carry = '';
  let done = false;
  return {
    push(chunk) {
      if (done) return Buffer.alloc(0);
      const text = chunk.toString('latin1');
      const pad = text.indexOf('=');
      const chars = carry + (pad < 0 ? text : text.slice(0, pad)).replace(NOT_BASE64, '');
      if (pad >= 0) {
        done = true;
        carry = '';
        return Buffer.from(chars, 'base64');
      }
      const whole = chars.length - (chars.length % 4);
      carry = chars.slice(whole);
      return Buffer.from(chars.slice(0, whole), 'base64');
    },
    end() {
      const last = Buffer.from(carry, 'base64');
      carry = '';
      return last;
    },
  };
}

/**
 * `decodeQuotedPrintable` in pieces. Decoding never consumes a `=` except as the start of a
 * sequence, so the input can be cut before any `=`: a chunk is decoded up to its last `=` when
 * the bytes that decide that sequence have not all arrived, and the rest waits for the next one.
 * Chunks of nothing but blanks after such a `=` are only collected (joined once when the next
 * byte decides), so a long run of them costs no repeated copying.
 */
function quotedPrintableDecoder(): TransferDecoder {
  let carry: Buffer[] = [];
  return {
    push(chunk) {
      if (carry.length && isBlank(chunk)) {
        carry.push(chunk);
        return Buffer.alloc(0);
      }
      const data = carry.length ? Buffer.concat([...carry, chunk]) : chunk;
      const eq = data.lastIndexOf(0x3d);
      const cut = eq >= 0 && !sequenceComplete(data, eq) ? eq : data.length;
      carry = cut < data.length ? [Buffer.from(data.subarray(cut))] : [];
      return decodeQuotedPrintable(data.subarray(0, cut));
    },
    end() {
      const last = decodeQuotedPrintable(Buffer.concat(carry));
      carry = [];
      return last;
    },
  };
}

function isBlank(chunk: Buffer): boolean {
  for (const c of chunk) if (c !== 0x20 && c !== 0x09) return false;
  return true;
}

/** Whether the bytes after the `=` at `i` that `decodeQuotedPrintable` looks at are all in `data`. */
function sequenceComplete(data: Buffer, i: number): boolean {
  let j = i + 1;
  while (data[j] === 0x20 || data[j] === 0x09) j++;
  return i + 2 < data.length && j < data.length && (data[j] !== 0x0d || j + 1 < data.length);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** RFC 2045 §6.7, lenient: a malformed `=` sequence is kept as it is. */
export function decodeQuotedPrintable(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let o = 0;
  let i = 0;
  while (i < data.length) {
    const c = data[i]!;
    if (c !== 0x3d) {
      out[o++] = c;
      i++;
      continue;
    }
    let j = i + 1;
    while (data[j] === 0x20 || data[j] === 0x09) j++;
    if (data[j] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (data[j] === 0x0d && data[j + 1] === 0x0a) {
      i = j + 2;
      continue;
    }
    const hi = hex(data[i + 1] ?? -1);
    const lo = hex(data[i + 2] ?? -1);
    if (hi >= 0 && lo >= 0) {
      out[o++] = (hi << 4) | lo;
      i += 3;
    } else {
      out[o++] = c;
      i++;
    }
  }
  return out.subarray(0, o);
}
