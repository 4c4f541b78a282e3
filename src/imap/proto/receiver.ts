import { ImapParseError } from './errors.js';
import { type LiteralMarker, type Token, tokenizeSegment, trailingMarker } from './tokens.js';

/** A complete command as it came off the wire; `tokens` are the arguments after the command name. */
export interface RawCommand {
  tag: string;
  /** Upper-cased; for `UID FETCH` this is `FETCH` with `uid` set. */
  name: string;
  uid: boolean;
  tokens: Token[];
}

export type ReceiverEvent =
  | { type: 'command'; command: RawCommand }
  /** Send `+ Ready for literal data` now: the client waits for it before sending a synchronizing literal. */
  | { type: 'continue' }
  /** An APPEND message too large to buffer starts; its bytes follow as `literal-data` events. */
  | { type: 'literal-start'; tag: string; name: string; index: number; size: number; binary: boolean }
  | { type: 'literal-data'; data: Buffer }
  | { type: 'literal-end'; index: number }
  /** A raw line read in line mode (AUTHENTICATE responses, IDLE's DONE). */
  | { type: 'line'; line: Buffer }
  /**
   * Answer `error.status` with `error.code` to `error.tag` (or untagged BAD when there is none).
   * `fatal`: the rest of the stream cannot be trusted; send BYE and close.
   */
  | { type: 'error'; error: ImapParseError; fatal: boolean };

export interface ReceiverOptions {
  /** Longest line (one piece of a command between literals). */
  maxLineBytes?: number;
  /** Largest literal outside an APPEND message. */
  maxLiteralBytes?: number;
  /** Largest APPEND message (APPENDLIMIT). */
  appendLimit?: number;
  /** Bytes buffered for one command, lines and literals together (streamed literals do not count). */
  maxCommandBytes?: number;
  /** APPEND messages larger than this are streamed as events instead of buffered. */
  streamAppendOver?: number;
  /** A refused non-synchronizing literal up to this size is read and dropped; a larger one is fatal. */
  maxDrainBytes?: number;
  /** LITERAL- (RFC 7888): non-synchronizing literals over 4096 bytes are refused. */
  literalMinus?: boolean;
}

const DEFAULTS: Required<ReceiverOptions> = {
  maxLineBytes: 64 * 1024,
  maxLiteralBytes: 1024 * 1024,
  appendLimit: 64 * 1024 * 1024,
  maxCommandBytes: 8 * 1024 * 1024,
  streamAppendOver: 256 * 1024,
  maxDrainBytes: 16 * 1024 * 1024,
  literalMinus: false,
};

/**
 * After these the bytes that follow belong to someone else: SASL or DONE lines, a TLS handshake
 * (plaintext pipelined after STARTTLS must be dropped, not run), or a deflate stream.
 */
const PAUSING = new Set(['IDLE', 'AUTHENTICATE', 'STARTTLS', 'COMPRESS']);
const TAIL = 32;
const TAG = /^[\x21\x23\x24\x26\x27\x2c-\x5b\x5d-\x7a\x7c-\x7e]+$/;

interface PendingCommand {
  tag: string | undefined;
  name: string | undefined;
  uid: boolean;
  tokens: Token[];
  bytes: number;
  streamed: number;
  failed: boolean;
}

interface PendingLiteral {
  action: 'buffer' | 'stream' | 'drain';
  remaining: number;
  binary: boolean;
  buf: Buffer | undefined;
  filled: number;
  index: number;
}

/**
 * Turns the client's byte stream into commands, with no I/O of its own: feed it what the socket
 * delivers and act on the events it returns, in order. Memory stays bounded by the options whatever
 * the client sends; an oversized line or literal becomes an `error` event, never a buffer.
 *
 * After IDLE, AUTHENTICATE, STARTTLS and COMPRESS it pauses: further bytes are held (up to one line)
 * until `resume()`, or taken with `takePending()` to hand to TLS or inflate.
 */
export class CommandReceiver {
  private readonly opts: Required<ReceiverOptions>;
  private mode: 'command' | 'line' | 'paused' | 'closed' = 'command';
  private lineParts: Buffer[] = [];
  private lineLen = 0;
  private overflow = false;
  private tail = Buffer.alloc(0);
  private cmd: PendingCommand | undefined;
  private lit: PendingLiteral | undefined;
  private pending = Buffer.alloc(0);

  constructor(opts: ReceiverOptions = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  get paused(): boolean {
    return this.mode === 'paused';
  }

  feed(chunk: Buffer): ReceiverEvent[] {
    const events: ReceiverEvent[] = [];
    if (this.mode === 'closed') return events;
    if (this.mode === 'paused') {
      if (this.pending.length + chunk.length > this.opts.maxLineBytes) {
        this.close(events, new ImapParseError('Too much data while waiting'));
      } else {
        this.pending = Buffer.concat([this.pending, chunk]);
      }
      return events;
    }
    this.process(chunk, events);
    return events;
  }

  /** Continues after a pause: `line` reads exactly one raw line (then pauses again). */
  resume(mode: 'command' | 'line' = 'command'): ReceiverEvent[] {
    const events: ReceiverEvent[] = [];
    if (this.mode === 'closed') return events;
    this.mode = mode;
    const held = this.pending;
    this.pending = Buffer.alloc(0);
    this.process(held, events);
    return events;
  }

  /** Bytes received while paused, removed from the receiver. */
  takePending(): Buffer {
    const held = this.pending;
    this.pending = Buffer.alloc(0);
    return held;
  }

  private process(chunk: Buffer, events: ReceiverEvent[]): void {
    let pos = 0;
    while (pos < chunk.length && (this.mode === 'command' || this.mode === 'line')) {
      if (this.lit) {
        pos = this.readLiteral(chunk, pos, events);
        continue;
      }
      const lf = chunk.indexOf(0x0a, pos);
      if (lf < 0) {
        this.appendLine(chunk.subarray(pos));
        pos = chunk.length;
      } else {
        this.appendLine(chunk.subarray(pos, lf));
        pos = lf + 1;
        this.onLine(this.takeLine(), events);
      }
    }
    if (pos < chunk.length && this.mode === 'paused') this.pending = Buffer.from(chunk.subarray(pos));
  }

  private appendLine(part: Buffer): void {
    if (part.length === 0) return;
    if (!this.overflow && this.lineLen + part.length <= this.opts.maxLineBytes) {
      this.lineParts.push(part);
      this.lineLen += part.length;
      return;
    }
    if (!this.overflow) {
      this.overflow = true;
      const whole = Buffer.concat([...this.lineParts, part]);
      this.tail = whole.subarray(-TAIL);
      if (this.mode === 'command' && !this.cmd) {
        // Keep the tag so the client gets a tagged reply it is waiting for.
        this.cmd = newCommand();
        this.cmd.tag = leadingTag(whole);
      }
      this.lineParts = [];
      this.lineLen = 0;
    } else {
      this.tail = Buffer.concat([this.tail, part.subarray(-TAIL)]).subarray(-TAIL);
    }
  }

  private takeLine(): Buffer {
    let line = Buffer.concat(this.lineParts, this.lineLen);
    this.lineParts = [];
    this.lineLen = 0;
    if (line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    return line;
  }

  private onLine(line: Buffer, events: ReceiverEvent[]): void {
    if (this.overflow) {
      this.overflow = false;
      const tail = this.tail[this.tail.length - 1] === 0x0d ? this.tail.subarray(0, -1) : this.tail;
      if (this.mode === 'line') {
        this.mode = 'paused';
        events.push({
          type: 'error',
          error: new ImapParseError('Line too long', { code: 'TOOBIG' }),
          fatal: false,
        });
        return;
      }
      this.cmd ??= newCommand();
      if (this.cmd.failed) this.skipRest(events, trailingMarker(tail));
      else this.fail(events, 'Line too long', trailingMarker(tail), 'TOOBIG');
      return;
    }
    if (this.mode === 'line') {
      this.mode = 'paused';
      events.push({ type: 'line', line });
      return;
    }
    if (!this.cmd) {
      if (line.length === 0) return;
      this.cmd = newCommand();
    }
    const cmd = this.cmd;
    if (cmd.failed) {
      this.skipRest(events, trailingMarker(line.subarray(-TAIL)));
      return;
    }
    let segment;
    try {
      segment = tokenizeSegment(line, cmd.tag);
    } catch (e) {
      if (!(e instanceof ImapParseError)) throw e;
      if (cmd.tag === undefined) cmd.tag = leadingTag(line);
      this.fail(events, e.message, trailingMarker(line.subarray(-TAIL)));
      return;
    }
    cmd.bytes += line.length;
    const tokens = segment.tokens;
    let start = 0;
    if (cmd.tag === undefined) {
      const t0 = tokens[0];
      const t1 = tokens[1];
      if (t0?.type !== 'atom' || !validTag(t0.value))
        return this.fail(events, 'Invalid tag', segment.literal);
      cmd.tag = t0.value;
      if (t1?.type !== 'atom') return this.fail(events, 'Missing command', segment.literal);
      cmd.name = t1.value.toUpperCase();
      start = 2;
      if (cmd.name === 'UID') {
        const t2 = tokens[2];
        if (t2?.type !== 'atom') return this.fail(events, 'Missing command after UID', segment.literal);
        cmd.uid = true;
        cmd.name = t2.value.toUpperCase();
        start = 3;
      }
    }
    for (let i = start; i < tokens.length; i++) cmd.tokens.push(tokens[i]!);
    if (segment.literal) this.startLiteral(segment.literal, events);
    else this.complete(events);
  }

  private startLiteral(m: LiteralMarker, events: ReceiverEvent[]): void {
    const cmd = this.cmd!;
    const isMessage = cmd.name === 'APPEND' && cmd.tokens.length > 0;
    const limit = isMessage ? this.opts.appendLimit : this.opts.maxLiteralBytes;
    if (m.size > limit) {
      return this.fail(events, 'Literal too big', m, 'TOOBIG', isMessage && m.sync ? 'NO' : 'BAD');
    }
    if (!m.sync && this.opts.literalMinus && m.size > 4096) {
      return this.fail(events, 'Non-synchronizing literal over 4096 bytes', m, 'TOOBIG');
    }
    const stream = isMessage && m.size > this.opts.streamAppendOver;
    if (!stream && cmd.bytes + m.size > this.opts.maxCommandBytes) {
      return this.fail(events, 'Command too big', m, 'TOOBIG');
    }
    if (m.sync) events.push({ type: 'continue' });
    const lit: PendingLiteral = {
      action: stream ? 'stream' : 'buffer',
      remaining: m.size,
      binary: m.binary,
      buf: undefined,
      filled: 0,
      index: 0,
    };
    if (stream) {
      lit.index = cmd.streamed++;
      events.push({
        type: 'literal-start',
        tag: cmd.tag!,
        name: cmd.name!,
        index: lit.index,
        size: m.size,
        binary: m.binary,
      });
    } else {
      lit.buf = Buffer.allocUnsafe(m.size);
      cmd.bytes += m.size;
    }
    this.lit = lit;
    if (m.size === 0) this.endLiteral(events);
  }

  private readLiteral(chunk: Buffer, pos: number, events: ReceiverEvent[]): number {
    const lit = this.lit!;
    const take = Math.min(lit.remaining, chunk.length - pos);
    if (lit.action === 'buffer') chunk.copy(lit.buf!, lit.filled, pos, pos + take);
    else if (lit.action === 'stream')
      events.push({ type: 'literal-data', data: chunk.subarray(pos, pos + take) });
    lit.filled += take;
    lit.remaining -= take;
    if (lit.remaining === 0) this.endLiteral(events);
    return pos + take;
  }

  private endLiteral(events: ReceiverEvent[]): void {
    const lit = this.lit!;
    this.lit = undefined;
    if (lit.action === 'buffer') {
      this.cmd!.tokens.push({ type: 'literal', value: lit.buf!, binary: lit.binary });
    } else if (lit.action === 'stream') {
      this.cmd!.tokens.push({ type: 'streamed', index: lit.index, size: lit.filled, binary: lit.binary });
      events.push({ type: 'literal-end', index: lit.index });
    }
  }

  private complete(events: ReceiverEvent[]): void {
    const cmd = this.cmd!;
    this.cmd = undefined;
    events.push({
      type: 'command',
      command: { tag: cmd.tag!, name: cmd.name!, uid: cmd.uid, tokens: cmd.tokens },
    });
    if (!cmd.uid && PAUSING.has(cmd.name!)) this.mode = 'paused';
  }

  private fail(
    events: ReceiverEvent[],
    message: string,
    marker: LiteralMarker | undefined,
    code?: string,
    status: 'BAD' | 'NO' = 'BAD',
  ): void {
    if (marker && !marker.sync && marker.size > this.opts.maxDrainBytes) {
      this.close(events, new ImapParseError(message, { code: code ?? 'TOOBIG' }));
      return;
    }
    const tag = this.cmd?.tag;
    const opts: { tag?: string; code?: string; status: 'BAD' | 'NO' } = { status };
    if (tag !== undefined) opts.tag = tag;
    if (code !== undefined) opts.code = code;
    events.push({ type: 'error', error: new ImapParseError(message, opts), fatal: false });
    this.skipRest(events, marker);
  }

  /**
   * Drops the rest of a refused command. A synchronizing literal is never sent once the client
   * has our tagged reply instead of a continuation; a non-synchronizing one is on its way and must
   * be read through, or the connection closed if it is too large to wait for.
   */
  private skipRest(events: ReceiverEvent[], marker: LiteralMarker | undefined): void {
    if (!marker || marker.sync) {
      this.cmd = undefined;
      return;
    }
    if (marker.size > this.opts.maxDrainBytes) {
      this.close(events, new ImapParseError('Literal too big', { code: 'TOOBIG' }));
      return;
    }
    this.cmd!.failed = true;
    this.lit = {
      action: 'drain',
      remaining: marker.size,
      binary: false,
      buf: undefined,
      filled: 0,
      index: 0,
    };
    if (marker.size === 0) this.lit = undefined;
  }

  private close(events: ReceiverEvent[], error: ImapParseError): void {
    this.mode = 'closed';
    this.cmd = undefined;
    this.lit = undefined;
    this.pending = Buffer.alloc(0);
    events.push({ type: 'error', error, fatal: true });
  }
}

function newCommand(): PendingCommand {
  return { tag: undefined, name: undefined, uid: false, tokens: [], bytes: 0, streamed: 0, failed: false };
}

/** The tag of a line that could not be tokenized, if it starts with a valid one. */
function leadingTag(line: Buffer): string | undefined {
  const tag = /^([^ ]+) /.exec(line.toString('latin1', 0, 128))?.[1];
  return tag !== undefined && validTag(tag) ? tag : undefined;
}

/** tag = 1*<ASTRING-CHAR except "+">; list wildcards are not ASTRING-CHARs either. */
function validTag(tag: string): boolean {
  return TAG.test(tag);
}
