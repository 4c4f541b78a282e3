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
 * The bytes of BODY[section] (before any partial), or null when the message has no such part.
 * The raw message is the one the structure was computed from.
 */
export function extractSection(raw: Buffer, structure: MessageStructure, section: Section): Buffer | null {
  const { part, text } = section;
  if (text === undefined) {
    if (part.length === 0) return raw;
    const node = findPart(structure.body, part);
    return node ? raw.subarray(node.bodyStart, node.end) : null;
  }
  if (text === 'MIME') {
    const node = findPart(structure.body, part);
    return node ? raw.subarray(node.headerStart, node.bodyStart) : null;
  }
  const range = messageRange(structure, part);
  if (!range) return null;
  if (text === 'TEXT') return raw.subarray(range.body, range.end);
  const header = raw.subarray(range.header, range.body);
  if (text === 'HEADER') return header;
  return filterHeader(header, section.fields, text === 'HEADER.FIELDS.NOT');
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
 * BINARY[part]: the part's content with its transfer encoding undone. `undefined` for an encoding
 * we cannot undo (answer NO [UNKNOWN-CTE]), null for a missing or multipart part.
 */
export function extractBinary(
  raw: Buffer,
  structure: MessageStructure,
  part: readonly number[],
): Buffer | null | undefined {
  if (part.length === 0) return raw;
  const node = findPart(structure.body, part);
  if (!node || isMultipart(node)) return null;
  return decodeTransferEncoding(raw.subarray(node.bodyStart, node.end), node.encoding);
}

export function decodeTransferEncoding(data: Buffer, encoding: string): Buffer | undefined {
  switch (encoding) {
    case '7bit':
    case '8bit':
    case 'binary':
    case '':
      return data;
    case 'base64':
      return Buffer.from(data.toString('latin1'), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(data);
    default:
      return undefined;
  }
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
