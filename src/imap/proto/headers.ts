import { isUtf8 } from 'node:buffer';

/** One header field: lower-cased name, unfolded value, and its raw byte range (with line ending). */
export interface HeaderField {
  name: string;
  value: string;
  start: number;
  end: number;
}

/** Where the body starts: after the first empty line, or `end` when there is none. */
export function findBodyStart(raw: Buffer, start: number, end: number): number {
  if (raw[start] === 0x0a) return start + 1;
  if (raw[start] === 0x0d && raw[start + 1] === 0x0a) return Math.min(start + 2, end);
  let i = start;
  for (;;) {
    const lf = raw.indexOf(0x0a, i);
    if (lf < 0 || lf >= end) return end;
    const next = raw[lf + 1];
    if (lf + 1 >= end) return end;
    if (next === 0x0a) return lf + 2;
    if (next === 0x0d && raw[lf + 2] === 0x0a && lf + 2 < end) return lf + 3;
    i = lf + 1;
  }
}

/** Header text as a string: UTF-8 when it is (RFC 6532), Latin-1 otherwise so no byte is lost. */
export function headerText(raw: Buffer, start: number, end: number): string {
  const slice = raw.subarray(start, end);
  return slice.toString(isUtf8(slice) ? 'utf8' : 'latin1');
}

export function parseHeaderFields(raw: Buffer, start: number, end: number): HeaderField[] {
  const fields: HeaderField[] = [];
  let i = start;
  while (i < end) {
    const b = raw[i]!;
    if (b === 0x0d || b === 0x0a) break;
    let lineEnd = lineEndAt(raw, i, end);
    // Continuation lines start with white space and belong to this field.
    while (lineEnd < end && (raw[lineEnd] === 0x20 || raw[lineEnd] === 0x09))
      lineEnd = lineEndAt(raw, lineEnd, end);
    const colon = raw.indexOf(0x3a, i);
    if (colon > i && colon < lineEnd) {
      const name = raw.toString('latin1', i, colon).trim().toLowerCase();
      const value = headerText(raw, colon + 1, lineEnd)
        .replace(/\r?\n(?=[ \t])/g, '')
        .replace(/\r?\n$/, '')
        .trim();
      fields.push({ name, value, start: i, end: lineEnd });
    }
    i = lineEnd;
  }
  return fields;
}

function lineEndAt(raw: Buffer, from: number, end: number): number {
  const lf = raw.indexOf(0x0a, from);
  return lf < 0 || lf >= end ? end : lf + 1;
}

export function firstField(fields: readonly HeaderField[], name: string): string | undefined {
  for (const f of fields) if (f.name === name) return f.value;
  return undefined;
}

export type Param = [string, string];

/** `type/subtype; a=b; c="d e"` (also Content-Disposition): the value lower-cased, names lower-cased. */
export function parseParams(text: string): { value: string; params: Param[] } {
  const s = stripComments(text);
  const semi = s.indexOf(';');
  const value = (semi < 0 ? s : s.slice(0, semi)).trim().toLowerCase();
  const params: Param[] = [];
  let i = semi < 0 ? s.length : semi + 1;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq < 0) break;
    const name = s.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (s[j] === ' ' || s[j] === '\t') j++;
    let v = '';
    if (s[j] === '"') {
      j++;
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        v += s[j];
        j++;
      }
      const next = s.indexOf(';', j);
      i = next < 0 ? s.length : next + 1;
    } else {
      const next = s.indexOf(';', j);
      v = s.slice(j, next < 0 ? s.length : next).trim();
      i = next < 0 ? s.length : next + 1;
    }
    if (name && /^[!#$%&'*+\-.0-9A-Za-z^_`|~]+$/.test(name)) params.push([name, v]);
  }
  return { value, params };
}

/** Removes RFC 5322 comments outside quoted strings. */
export function stripComments(text: string): string {
  if (!text.includes('(')) return text;
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (text[i + 1] ?? '');
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
    } else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}
