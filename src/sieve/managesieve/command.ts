/**
 * The ManageSieve command reader (RFC 5804 §4): a command name, then strings (quoted or literal,
 * {N+} or {N}) and numbers, ended by CRLF. Pure: it looks at buffered input and says what it
 * found, so the session stays a thin loop and this part is fuzzed on its own.
 */

export type Argument = string | number;

export type ParseResult =
  /** More input is needed; `need` octets at least, when known (inside a literal). */
  | { kind: 'incomplete'; need?: number }
  | { kind: 'command'; name: string; args: Argument[]; consumed: number }
  /**
   * A bad command: reply NO/BAD with `message`, drop `consumed` octets, then `skip` more that the
   * client sends as a literal too large to keep.
   */
  | { kind: 'error'; message: string; consumed: number; skip: number };

export interface ParseLimits {
  /** Longest command line (outside literals). */
  maxLine: number;
  maxLiteral: number;
  maxArgs: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxLine: 8192, maxLiteral: 1 << 20, maxArgs: 16 };

const ATOM = /^[A-Za-z]+$/;

/**
 * Reads one command from the start of `buf`. With `nameless`, reads a SASL client response: just
 * one string (or "*" to cancel, returned as the name "*").
 */
export function parseCommand(
  buf: Buffer,
  limits: ParseLimits = DEFAULT_LIMITS,
  nameless = false,
): ParseResult {
  let pos = 0;
  const args: Argument[] = [];
  let name = '';
  const lineEnd = () => {
    const nl = buf.indexOf(0x0a, pos);
    return nl < 0 ? -1 : nl;
  };
  const fail = (message: string, skip = 0): ParseResult => {
    const nl = lineEnd();
    return { kind: 'error', message, consumed: nl < 0 ? buf.length : nl + 1, skip };
  };
  const tooLong = () => {
    const nl = lineEnd();
    return (nl < 0 ? buf.length : nl) - pos > limits.maxLine;
  };

  if (nameless && buf[0] === 0x2a) {
    const nl = buf.indexOf(0x0a);
    if (nl < 0) return buf.length > limits.maxLine ? fail('line too long') : { kind: 'incomplete' };
    return buf.subarray(1, nl).toString('latin1').replace(/\r$/, '') === ''
      ? { kind: 'command', name: '*', args, consumed: nl + 1 }
      : fail('expected "*" alone');
  }
  if (!nameless) {
    const m = /^[A-Za-z]*/.exec(buf.subarray(0, Math.min(buf.length, 64)).toString('latin1'))![0];
    if (m.length === buf.length || m.length === 64)
      return buf.length > 64 ? fail('unknown command') : { kind: 'incomplete' };
    if (!ATOM.test(m))
      return lineEnd() < 0 && !tooLong() ? { kind: 'incomplete' } : fail('expected a command name');
    name = m.toUpperCase();
    pos = m.length;
  }
  for (;;) {
    if (pos >= buf.length) return tooLong() ? fail('line too long') : { kind: 'incomplete' };
    const c = buf[pos]!;
    if (c === 0x0d || c === 0x0a) {
      if (c === 0x0d && pos + 1 >= buf.length) return { kind: 'incomplete' };
      if (c === 0x0d && buf[pos + 1] !== 0x0a) return fail('bare CR');
      const consumed = pos + (c === 0x0d ? 2 : 1);
      if (nameless && args.length !== 1)
        return { kind: 'error', message: 'expected one string', consumed, skip: 0 };
      return { kind: 'command', name, args, consumed };
    }
    if (!nameless || args.length) {
      if (c !== 0x20) return fail('expected a space between arguments');
      pos++;
      if (pos >= buf.length) return { kind: 'incomplete' };
    }
    if (args.length >= limits.maxArgs) return fail('too many arguments');
    const r = readArgument(buf, pos, limits);
    if (r.kind === 'incomplete') return tooLong() && r.need === undefined ? fail('line too long') : r;
    if (r.kind === 'error')
      return r.skip
        ? { kind: 'error', message: r.message, consumed: r.consumed, skip: r.skip }
        : fail(r.message);
    args.push(r.value);
    pos = r.end;
  }
}

type ArgResult =
  | { kind: 'incomplete'; need?: number }
  | { kind: 'error'; message: string; consumed: number; skip: number }
  | { kind: 'value'; value: Argument; end: number };

function readArgument(buf: Buffer, pos: number, limits: ParseLimits): ArgResult {
  const c = buf[pos]!;
  if (c === 0x22) return readQuoted(buf, pos);
  if (c === 0x7b) return readLiteral(buf, pos, limits);
  if (c >= 0x30 && c <= 0x39) {
    let end = pos;
    while (end < buf.length && buf[end]! >= 0x30 && buf[end]! <= 0x39) end++;
    if (end === buf.length) return { kind: 'incomplete' };
    const digits = buf.subarray(pos, end).toString('latin1');
    // RFC 5804 numbers are 0..4294967295.
    if (digits.length > 10 || Number(digits) > 4294967295)
      return { kind: 'error', message: 'number too large', consumed: 0, skip: 0 };
    return { kind: 'value', value: Number(digits), end };
  }
  return { kind: 'error', message: 'expected a string or a number', consumed: 0, skip: 0 };
}

function readQuoted(buf: Buffer, start: number): ArgResult {
  const out: number[] = [];
  for (let i = start + 1; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x22) return { kind: 'value', value: decode(Buffer.from(out)), end: i + 1 };
    if (c === 0x0d || c === 0x0a || c === 0)
      return {
        kind: 'error',
        message: 'quoted strings cannot hold CR, LF or NUL; use a literal',
        consumed: 0,
        skip: 0,
      };
    if (c === 0x5c) {
      const n = buf[++i];
      if (n === undefined) return { kind: 'incomplete' };
      if (n !== 0x22 && n !== 0x5c)
        return {
          kind: 'error',
          message: 'only \\" and \\\\ may be escaped in a quoted string',
          consumed: 0,
          skip: 0,
        };
      out.push(n);
    } else out.push(c);
  }
  return { kind: 'incomplete' };
}

function readLiteral(buf: Buffer, start: number, limits: ParseLimits): ArgResult {
  const close = buf.indexOf(0x7d, start);
  if (close < 0)
    return buf.length - start > 16
      ? { kind: 'error', message: 'bad literal', consumed: 0, skip: 0 }
      : { kind: 'incomplete' };
  const m = /^\{([0-9]{1,10})(\+?)\}$/.exec(buf.subarray(start, close + 1).toString('latin1'));
  if (!m) return { kind: 'error', message: 'bad literal', consumed: 0, skip: 0 };
  if (close + 1 >= buf.length) return { kind: 'incomplete' };
  let dataStart = close + 1;
  if (buf[dataStart] === 0x0d) {
    if (dataStart + 1 >= buf.length) return { kind: 'incomplete' };
    dataStart++;
  }
  if (buf[dataStart] !== 0x0a)
    return { kind: 'error', message: 'a literal must be followed by CRLF', consumed: 0, skip: 0 };
  dataStart++;
  const size = Number(m[1]);
  if (size > limits.maxLiteral) {
    // The client sends the octets without waiting ({N+}); they must be read and dropped.
    return {
      kind: 'error',
      message: `literal of ${size} octets is larger than ${limits.maxLiteral}`,
      consumed: dataStart,
      skip: size,
    };
  }
  if (buf.length < dataStart + size) return { kind: 'incomplete', need: dataStart + size - buf.length };
  return { kind: 'value', value: decode(buf.subarray(dataStart, dataStart + size)), end: dataStart + size };
}

/** Strings are UTF-8 (RFC 5804 §1.6); invalid sequences become U+FFFD so validation can name them. */
function decode(b: Buffer): string {
  return b.toString('utf8');
}

/** A string as the server sends it: quoted (with \" and \\ escaped) when it can be, else a literal. */
export function formatString(s: string): string {
  // eslint-disable-next-line no-control-regex -- these cannot appear in a quoted string
  if (s.length <= 1024 && !/[\r\n\0]/.test(s)) return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${Buffer.byteLength(s)}}\r\n${s}`;
}

/** The final response line: OK, NO or BYE, an optional (CODE), and a human-readable string. */
export function formatResponse(status: 'OK' | 'NO' | 'BYE', text?: string, code?: string): string {
  const parts: string[] = [status];
  if (code) parts.push(`(${code})`);
  if (text !== undefined) parts.push(formatString(text));
  return `${parts.join(' ')}\r\n`;
}

/** RFC 4616 PLAIN: authzid NUL authcid NUL passwd; only the user's own authorization identity. */
export function decodeSaslPlain(data: string): { user: string; pass: string } | null {
  const parts = data.split('\0');
  if (parts.length !== 3) return null;
  const [authz, user, pass] = parts as [string, string, string];
  if (!user || !pass || (authz && authz !== user)) return null;
  return { user, pass };
}
