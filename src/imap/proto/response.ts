import { encodeMailboxName } from './utf7.js';

/** Strings longer than this go out as literals: cheaper for both sides than escaping. */
const MAX_QUOTED = 1024;
/** Payloads at least this big are kept as their own chunk instead of being copied. */
const OWN_CHUNK = 16 * 1024;

/**
 * Builds response bytes into one growing buffer, choosing for each string the form the grammar
 * allows: quoted when it is short and holds no CR, LF or NUL (nor 8-bit unless UTF-8 was enabled),
 * a literal otherwise, `~{N}` when NUL bytes must pass (BINARY). Large payloads are kept as separate
 * chunks so a FETCH of big bodies is written with writev, not copied.
 */
export class ResponseWriter {
  private buf: Buffer;
  private len = 0;
  private chunks: Buffer[] = [];
  private size = 0;

  /** `utf8`: the client enabled UTF8=ACCEPT, so 8-bit text may be quoted and names are UTF-8. */
  constructor(
    readonly utf8 = false,
    initial = 4096,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.size + this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** ASCII the caller knows to be valid here (atoms, numbers, keywords). */
  raw(text: string): this {
    const n = text.length;
    this.ensure(n);
    // Short pieces dominate; a byte loop beats a call into Buffer#write for them.
    if (n < 48) {
      const buf = this.buf;
      let len = this.len;
      for (let i = 0; i < n; i++) buf[len++] = text.charCodeAt(i);
      this.len = len;
    } else {
      this.len += this.buf.write(text, this.len, 'latin1');
    }
    return this;
  }

  bytes(data: Buffer): this {
    if (data.length >= OWN_CHUNK) {
      this.flushBuf();
      this.chunks.push(data);
      this.size += data.length;
      return this;
    }
    this.ensure(data.length);
    data.copy(this.buf, this.len);
    this.len += data.length;
    return this;
  }

  private flushBuf(): void {
    if (this.len === 0) return;
    this.chunks.push(this.buf.subarray(0, this.len));
    this.size += this.len;
    this.buf = Buffer.allocUnsafe(Math.max(4096, this.buf.length - this.len));
    this.len = 0;
  }

  sp(): this {
    return this.raw(' ');
  }

  crlf(): this {
    return this.raw('\r\n');
  }

  number(n: number): this {
    return this.raw(String(n));
  }

  nil(): this {
    return this.raw('NIL');
  }

  string(value: string | Buffer): this {
    if (typeof value !== 'string') return this.stringBytes(value);
    const n = value.length;
    let escapes = 0;
    let ascii = true;
    let literal = n > MAX_QUOTED;
    for (let i = 0; i < n && !literal; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x22 || c === 0x5c) escapes++;
      else if (c === 0x0a || c === 0x0d || c === 0) literal = true;
      else if (c > 0x7f) {
        ascii = false;
        if (!this.utf8) literal = true;
      }
    }
    if (literal) return this.literal(Buffer.from(value, 'utf8'));
    if (!ascii) {
      const text = escapes ? value.replace(/["\\]/g, '\\$&') : value;
      this.ensure(text.length * 3 + 2);
      this.buf[this.len++] = 0x22;
      this.len += this.buf.write(text, this.len, 'utf8');
      this.buf[this.len++] = 0x22;
      return this;
    }
    this.ensure(n + escapes + 2);
    const buf = this.buf;
    let len = this.len;
    buf[len++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x22 || c === 0x5c) buf[len++] = 0x5c;
      buf[len++] = c;
    }
    buf[len++] = 0x22;
    this.len = len;
    return this;
  }

  private stringBytes(value: Buffer): this {
    let escapes = 0;
    let literal = value.length > MAX_QUOTED;
    for (let i = 0; i < value.length && !literal; i++) {
      const c = value[i]!;
      if (c === 0x22 || c === 0x5c) escapes++;
      else if (c === 0x0a || c === 0x0d || c === 0 || (c > 0x7f && !this.utf8)) literal = true;
    }
    if (literal) return this.literal(value);
    this.ensure(value.length + escapes + 2);
    this.buf[this.len++] = 0x22;
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      if (c === 0x22 || c === 0x5c) this.buf[this.len++] = 0x5c;
      this.buf[this.len++] = c;
    }
    this.buf[this.len++] = 0x22;
    return this;
  }

  nstring(value: string | Buffer | null | undefined): this {
    return value === null || value === undefined ? this.nil() : this.string(value);
  }

  /** An atom when the text is one (and not NIL), a string otherwise. */
  astring(value: string): this {
    return ATOM.test(value) && value.toUpperCase() !== 'NIL' ? this.raw(value) : this.string(value);
  }

  /** `{N}` + data, or `~{N}` (literal8) when `binary` and the data holds NUL. */
  literal(data: Buffer, binary = false): this {
    const eight = binary && data.includes(0);
    this.raw(`${eight ? '~' : ''}{${data.length}}\r\n`);
    return this.bytes(data);
  }

  mailbox(name: string): this {
    return this.astring(encodeMailboxName(name, this.utf8));
  }

  /** `(a b c)` written by `item` for each element. */
  list<T>(items: Iterable<T>, item: (value: T) => void): this {
    this.raw('(');
    let first = true;
    for (const v of items) {
      if (!first) this.raw(' ');
      first = false;
      item(v);
    }
    return this.raw(')');
  }

  /** Flags are atoms by construction (the parser refuses others). */
  flags(flags: Iterable<string>): this {
    return this.list(flags, (f) => this.raw(f));
  }

  /** Everything written, as chunks for writev; the writer is empty afterwards. */
  takeChunks(): Buffer[] {
    this.flushBuf();
    const out = this.chunks;
    this.chunks = [];
    this.size = 0;
    return out;
  }

  /** Everything written, as one buffer; the writer is empty afterwards. */
  take(): Buffer {
    const chunks = this.takeChunks();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
}

/** ATOM-CHAR minus the characters that would need care in a response (`]`, wildcards excluded). */
const ATOM = /^[!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]+$/;
