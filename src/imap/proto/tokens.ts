import { ImapParseError } from './errors.js';

/**
 * One lexical item of a command. Atoms keep brackets and angle brackets inside them
 * (`BODY[1.2]<0.10>`); a section that holds a list (`BODY[HEADER.FIELDS (A B)]`) arrives as the atom
 * `BODY[HEADER.FIELDS`, the list, then the atom `]`. Strings stay bytes: their charset depends on
 * the command and on UTF8=ACCEPT.
 */
export type Token =
  | { type: 'atom'; value: string }
  | { type: 'quoted'; value: Buffer }
  | { type: 'literal'; value: Buffer; binary: boolean }
  /** An APPEND message handed to the caller in chunks; `index` counts streamed literals in the command. */
  | { type: 'streamed'; index: number; size: number; binary: boolean }
  | { type: '(' }
  | { type: ')' };

export interface LiteralMarker {
  size: number;
  sync: boolean;
  binary: boolean;
}

export interface Segment {
  tokens: Token[];
  literal: LiteralMarker | undefined;
}

const OPEN: Token = { type: '(' };
const CLOSE: Token = { type: ')' };

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const TILDE = 0x7e;

/** Bytes that end an atom; anything else below 0x21 or DEL is refused inside one. */
function endsAtom(b: number): boolean {
  return b === SP || b === 0x28 || b === 0x29;
}

/**
 * Splits one line of a command (without its CRLF) into tokens. A `{N}`, `{N+}` or `~{N}` marker is
 * only valid at the very end, where it announces the literal that follows the CRLF.
 */
export function tokenizeSegment(line: Buffer, tag?: string): Segment {
  const tokens: Token[] = [];
  const fail = (msg: string): never => {
    throw new ImapParseError(msg, tag === undefined ? {} : { tag });
  };
  let i = 0;
  const n = line.length;
  while (i < n) {
    const b = line[i]!;
    if (b === SP) {
      i++;
    } else if (b === 0x28) {
      tokens.push(OPEN);
      i++;
    } else if (b === 0x29) {
      tokens.push(CLOSE);
      i++;
    } else if (b === DQUOTE) {
      i = readQuoted(line, i + 1, tokens, fail);
    } else if (b === LBRACE || (b === TILDE && line[i + 1] === LBRACE)) {
      return { tokens, literal: readMarker(line, b === TILDE ? i + 2 : i + 1, b === TILDE, fail) };
    } else {
      const start = i;
      let ascii = true;
      while (i < n && !endsAtom(line[i]!)) {
        const c = line[i]!;
        if (c < 0x20 || c === 0x7f || c === DQUOTE || c === LBRACE) fail('Invalid character in atom');
        if (c > 0x7f) ascii = false;
        i++;
      }
      tokens.push({ type: 'atom', value: line.toString(ascii ? 'latin1' : 'utf8', start, i) });
    }
  }
  return { tokens, literal: undefined };
}

function readQuoted(line: Buffer, from: number, tokens: Token[], fail: (m: string) => never): number {
  let i = from;
  let escapes = 0;
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (c === DQUOTE) break;
    if (c === BACKSLASH) {
      const next = line[i + 1];
      if (next !== DQUOTE && next !== BACKSLASH) fail('Invalid escape in quoted string');
      escapes++;
      i++;
    } else if (c === 0 || c === 0x0d || c === 0x0a) {
      fail('Invalid character in quoted string');
    }
  }
  if (i >= line.length) fail('Unterminated quoted string');
  if (escapes === 0) {
    tokens.push({ type: 'quoted', value: line.subarray(from, i) });
  } else {
    const out = Buffer.allocUnsafe(i - from - escapes);
    let o = 0;
    for (let j = from; j < i; j++) {
      if (line[j] === BACKSLASH) j++;
      out[o++] = line[j]!;
    }
    tokens.push({ type: 'quoted', value: out });
  }
  return i + 1;
}

function readMarker(line: Buffer, from: number, binary: boolean, fail: (m: string) => never): LiteralMarker {
  let i = from;
  let size = 0;
  while (i < line.length && line[i]! >= 0x30 && line[i]! <= 0x39) {
    size = size * 10 + (line[i]! - 0x30);
    i++;
  }
  // number64 allows 19 digits; past 2^53 precision is moot because every limit is far lower.
  if (i === from || i - from > 19) fail('Invalid literal size');
  let sync = true;
  if (line[i] === 0x2b) {
    sync = false;
    i++;
  }
  if (line[i] !== 0x7d || i + 1 !== line.length) fail('Literal marker must end the line');
  return { size, sync, binary };
}

/** Finds a literal marker at the end of a line without tokenizing it (for lines being skipped). */
export function trailingMarker(tail: Buffer): LiteralMarker | undefined {
  const m = /(~?)\{(\d{1,19})(\+?)\}$/.exec(tail.toString('latin1'));
  return m ? { size: Number(m[2]), sync: m[3] !== '+', binary: m[1] === '~' } : undefined;
}
