import { SieveSyntaxError } from './errors.js';

export type TokenType =
  'identifier' | 'tag' | 'number' | 'string' | '[' | ']' | '(' | ')' | '{' | '}' | ',' | ';' | 'eof';

export interface Token {
  type: TokenType;
  /** Identifier/tag name (lower-cased), string value, or the number's source text. */
  text: string;
  /** Numeric value for numbers, with the K/M/G multiplier applied. */
  value?: number;
  line: number;
  column: number;
}

export interface LexerLimits {
  maxScriptSize: number;
  maxStringLength: number;
}

export const defaultLexerLimits: LexerLimits = { maxScriptSize: 1 << 20, maxStringLength: 1 << 16 };

const MULTIPLIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const SINGLE = new Set(['[', ']', '(', ')', '{', '}', ',', ';']);

/** Splits a Sieve script (RFC 5228 §8.1) into tokens; comments and white space are dropped. */
export function tokenize(src: string, limits: LexerLimits = defaultLexerLimits): Token[] {
  if (src.length > limits.maxScriptSize) {
    throw new SieveSyntaxError(`script is larger than ${limits.maxScriptSize} characters`, 1, 1);
  }
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (msg: string, at = pos): never => {
    throw new SieveSyntaxError(msg, line, at - lineStart + 1);
  };
  const checkLength = (len: number) => {
    if (len > limits.maxStringLength) fail(`string is longer than ${limits.maxStringLength} characters`);
  };

  while (pos < src.length) {
    const c = src[pos]!;
    if (c === '\n') {
      pos++;
      line++;
      lineStart = pos;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      pos++;
      continue;
    }
    if (c === '#') {
      while (pos < src.length && src[pos] !== '\n') pos++;
      continue;
    }
    const startCol = pos - lineStart + 1;
    const startLine = line;
    if (c === '/' && src[pos + 1] === '*') {
      const end = src.indexOf('*/', pos + 2);
      if (end < 0) fail('unterminated /* comment');
      for (let i = pos; i < end; i++) {
        if (src[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      pos = end + 2;
      continue;
    }
    if (SINGLE.has(c)) {
      tokens.push({ type: c as TokenType, text: c, line, column: startCol });
      pos++;
      continue;
    }
    if (c === '"') {
      pos++;
      let value = '';
      for (;;) {
        if (pos >= src.length) throw new SieveSyntaxError('unterminated quoted string', startLine, startCol);
        const ch = src[pos]!;
        if (ch === '"') break;
        if (ch === '\\') {
          // RFC 5228 §2.4.2: "\" quotes the next character; other escapes drop the backslash.
          pos++;
          if (pos >= src.length) continue;
        }
        const got = src[pos]!;
        if (got === '\n') {
          line++;
          lineStart = pos + 1;
        }
        value += got;
        pos++;
        checkLength(value.length);
      }
      pos++;
      tokens.push({ type: 'string', text: value, line: startLine, column: startCol });
      continue;
    }
    if (c >= '0' && c <= '9') {
      let end = pos;
      while (end < src.length && src[end]! >= '0' && src[end]! <= '9') end++;
      const digits = src.slice(pos, end);
      const suffix = src[end]?.toLowerCase();
      let mult = 1;
      if (suffix && suffix in MULTIPLIERS) {
        mult = MULTIPLIERS[suffix]!;
        end++;
      }
      if (end < src.length && /[A-Za-z_]/.test(src[end]!)) fail('bad number', end);
      const value = Number(digits) * mult;
      if (!Number.isSafeInteger(value) || digits.length > 16) fail('number is too large');
      tokens.push({ type: 'number', text: src.slice(pos, end), value, line, column: startCol });
      pos = end;
      continue;
    }
    if (c === ':' || /[A-Za-z_]/.test(c)) {
      let end = c === ':' ? pos + 1 : pos;
      while (end < src.length && /[A-Za-z0-9_]/.test(src[end]!)) end++;
      const name = src.slice(c === ':' ? pos + 1 : pos, end);
      if (!/^[A-Za-z_]/.test(name)) fail('a tag must be ":" followed by a name');
      if (c !== ':' && name.toLowerCase() === 'text' && src[end] === ':') {
        pos = end + 1;
        const str = readMultiline(startLine, startCol);
        tokens.push({ type: 'string', text: str, line: startLine, column: startCol });
        continue;
      }
      tokens.push({
        type: c === ':' ? 'tag' : 'identifier',
        text: name.toLowerCase(),
        line,
        column: startCol,
      });
      pos = end;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ type: 'eof', text: '', line, column: pos - lineStart + 1 });
  return tokens;

  // RFC 5228 §2.4.2: "text:" [white space] [hash comment] CRLF, lines, "." CRLF; leading ".." unstuffed.
  function readMultiline(startLine: number, startCol: number): string {
    while (src[pos] === ' ' || src[pos] === '\t') pos++;
    if (src[pos] === '#') while (pos < src.length && src[pos] !== '\n') pos++;
    if (src[pos] === '\r') pos++;
    if (src[pos] !== '\n') fail('"text:" must be followed by the end of the line');
    pos++;
    line++;
    lineStart = pos;
    let value = '';
    for (;;) {
      if (pos >= src.length)
        throw new SieveSyntaxError('unterminated multi-line string', startLine, startCol);
      let end = src.indexOf('\n', pos);
      if (end < 0) end = src.length;
      let text = src.slice(pos, end);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      pos = Math.min(end + 1, src.length);
      line++;
      lineStart = pos;
      if (text === '.') return value;
      value += (text.startsWith('..') ? text.slice(1) : text) + '\r\n';
      checkLength(value.length);
    }
  }
}
