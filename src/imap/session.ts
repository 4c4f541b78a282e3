import type { Socket } from 'node:net';
import type { Duplex, Writable } from 'node:stream';
import { TLSSocket, type TlsOptions } from 'node:tls';
import { constants as zlib, createDeflateRaw, createInflateRaw, type DeflateRaw } from 'node:zlib';
import type { App } from '../app.js';
import type { Logger } from '../log/logger.js';
import type { MailboxActor } from '../mailbox/types.js';
import { capabilityList } from './capabilities.js';
import { dispatch } from './commands/index.js';
import type { ConnectionLimits } from './connection-limits.js';
import type { EnvelopeCache } from './envelope-cache.js';
import { ImapParseError } from './proto/errors.js';
import { CommandReceiver, type RawCommand, type ReceiverEvent } from './proto/receiver.js';
import { ResponseWriter } from './proto/response.js';
import {
  continuation,
  parseErrorResponse,
  tagged,
  untagged,
  type ResponseCode,
} from './proto/protocol/status.js';
import { errorReply } from './reply.js';
import type { SelectedMailbox } from './selected-mailbox.js';
import { LiteralSpool } from './literal-spool.js';
import { syncSelected } from './sync.js';
import { drained } from '../core/drain.js';

export interface ImapSessionOptions {
  app: App;
  limits: ConnectionLimits;
  /** Encoded ENVELOPE responses shared by every session of the server. */
  envelopes: EnvelopeCache;
  tlsOptions: () => TlsOptions;
  secure: boolean;
  log: Logger;
  onClose: () => void;
}

export type SessionState = 'notauth' | 'auth' | 'selected' | 'logout';

/** Events waiting for the pump: the receiver's, plus a sync asked for by a change while idling. */
type QueuedEvent = ReceiverEvent | { type: 'sync' };

/** Queued events above this pause reading from the socket (pipelining is bounded, not buffered). */
const MAX_QUEUED = 32;
/** Untagged output above this is written out (and drained) before more is produced. */
export const FLUSH_BYTES = 256 * 1024;

/**
 * One IMAP connection: the transport (plain, TLS, deflate), the receiver, the state machine and
 * the untagged updates of the selected folder. Commands run one at a time, in order; each command
 * lives in commands/<name>.ts.
 */
export class ImapSession {
  readonly app: App;
  readonly log: Logger;
  state: SessionState = 'notauth';
  secure: boolean;
  compressed = false;
  actor: MailboxActor | null = null;
  selected: SelectedMailbox | null = null;
  /** ENABLEd extensions (CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4rev2), upper-case. */
  readonly enabled = new Set<string>();
  /** Untagged output of the running command; written out by flush(). */
  w = new ResponseWriter(false);
  idling = false;

  private socket: Socket;
  private out: Writable;
  private readonly receiver: CommandReceiver;
  private readonly queue: QueuedEvent[] = [];
  private busy = false;
  private inputPaused = false;
  private closed = false;
  private lineWaiter: ((line: Buffer) => Promise<void>) | null = null;
  /** The streamed literals of the command being read (several with MULTIAPPEND). */
  private spools: LiteralSpool[] = [];
  private unsubscribe: (() => void) | null = null;

  constructor(
    socket: Socket,
    readonly opts: ImapSessionOptions,
  ) {
    this.app = opts.app;
    this.log = opts.log;
    this.socket = socket;
    this.out = socket;
    this.secure = opts.secure;
    this.receiver = new CommandReceiver({
      appendLimit: this.app.config.get<number>('mailbox.append_limit'),
      maxDrainBytes: 1024 * 1024,
    });
    this.attach(socket);
    this.w.bytes(untagged('OK', 'Mailstead IMAP ready', `CAPABILITY ${this.capabilities().join(' ')}`));
    void this.flush();
  }

  private attach(socket: Socket): void {
    socket.setTimeout(this.app.config.get<number>('imap.idle_timeout'));
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('timeout', () => this.bye('Idle timeout, closing'));
    socket.on('error', (e) => this.log.debug({ event: 'imap_socket_error', err: e.message }));
    socket.on('close', () => this.finish());
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** The address the client connected to (an IMAP URL naming it names this server). */
  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }

  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT');
  }

  get condstore(): boolean {
    return this.enabled.has('CONDSTORE');
  }

  capabilities(): string[] {
    return capabilityList(this);
  }

  /** Whether LOGIN and AUTHENTICATE PLAIN may be used on this connection. */
  plaintextAllowed(): boolean {
    return this.secure || this.app.config.get<boolean>('auth.allow_plaintext');
  }

  // ---- input ----

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    for (const ev of this.receiver.feed(chunk)) this.queue.push(ev);
    if (this.queue.length > MAX_QUEUED && !this.inputPaused) {
      this.inputPaused = true;
      this.socket.pause();
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && !this.closed) await this.handle(this.queue.shift()!);
    } catch (e) {
      this.log.error({ event: 'imap_error', err: (e as Error).stack }, 'IMAP session failed');
      this.bye('Internal error', 'SERVERBUG');
    } finally {
      this.busy = false;
      if (this.inputPaused && this.queue.length <= MAX_QUEUED / 2 && !this.closed) {
        this.inputPaused = false;
        this.socket.resume();
      }
    }
  }

  private async handle(ev: QueuedEvent): Promise<void> {
    switch (ev.type) {
      case 'command':
        return this.run(ev.command);
      case 'continue':
        return this.send(continuation());
      case 'literal-start':
        // Only an authenticated APPEND may spend disk; anything else is read and dropped.
        this.spools.push(new LiteralSpool(ev.index, this.state === 'auth' || this.state === 'selected'));
        return;
      case 'literal-data':
        return this.spools.at(-1)?.write(ev.data);
      case 'literal-end':
        return this.spools.at(-1)?.end();
      case 'line': {
        const waiter = this.lineWaiter;
        this.lineWaiter = null;
        if (waiter) await waiter(ev.line);
        if (!this.lineWaiter) this.resumeCommands();
        return;
      }
      case 'error':
        this.discardSpools();
        if (ev.fatal) return this.bye(ev.error.message, ev.error.code);
        await this.send(parseErrorResponse(ev.error));
        if (this.lineWaiter) {
          this.lineWaiter = null;
          this.resumeCommands();
        }
        return;
      case 'sync':
        if (this.idling) {
          await syncSelected(this, true);
          await this.flush();
        }
        return;
    }
  }

  private async run(raw: RawCommand): Promise<void> {
    const spools = this.spools;
    this.spools = [];
    try {
      await dispatch(this, raw, spools);
    } catch (e) {
      if (!(e instanceof ImapParseError)) this.logFailure(raw, e);
      await this.send(errorReply(raw.tag, e));
    } finally {
      for (const sp of spools) sp.discard();
    }
    // IDLE, AUTHENTICATE, STARTTLS and COMPRESS pause the receiver; unless the command is now
    // waiting for a line of its own, commands continue.
    if (!this.lineWaiter && this.receiver.paused && !this.closed) this.resumeCommands();
  }

  private discardSpools(): void {
    for (const sp of this.spools) sp.discard();
    this.spools = [];
  }

  private logFailure(raw: RawCommand, e: unknown): void {
    const err = e as Error & { imap?: unknown };
    if (err.imap) this.log.debug({ event: 'imap_command_refused', command: raw.name, err: err.message });
    else
      this.log.error(
        { event: 'imap_command_failed', command: raw.name, err: err.stack },
        'IMAP command failed',
      );
  }

  private resumeCommands(): void {
    for (const ev of this.receiver.resume('command')) this.queue.push(ev);
  }

  /** Reads the next raw line (SASL response, IDLE's DONE) and hands it to `fn`. */
  expectLine(fn: (line: Buffer) => Promise<void>): void {
    this.lineWaiter = fn;
    for (const ev of this.receiver.resume('line')) this.queue.push(ev);
  }

  // ---- output ----

  /** Writes the untagged output so far, waiting while the socket is full. */
  async flush(): Promise<void> {
    if (this.closed || this.w.length === 0) {
      this.w.takeChunks();
      return;
    }
    const chunks = this.w.takeChunks();
    let ok = true;
    if (chunks.length > 1) this.out.cork();
    for (const c of chunks) ok = this.out.write(c);
    if (chunks.length > 1) this.out.uncork();
    if (this.compressed) (this.out as DeflateRaw).flush(zlib.Z_SYNC_FLUSH);
    if (!ok) await drained(this.out, this.socket);
  }

  /** Flushes when enough output has built up; for loops writing many responses. */
  async maybeFlush(): Promise<void> {
    if (this.w.length >= FLUSH_BYTES) await this.flush();
  }

  /** Untagged output so far, then `data`. */
  async send(data: Buffer): Promise<void> {
    this.w.bytes(data);
    await this.flush();
  }

  async ok(tag: string, text: string, code?: ResponseCode): Promise<void> {
    await this.send(tagged(tag, 'OK', text, code));
  }

  async no(tag: string, text: string, code?: ResponseCode): Promise<void> {
    await this.send(tagged(tag, 'NO', text, code));
  }

  async bad(tag: string, text: string, code?: ResponseCode): Promise<void> {
    await this.send(tagged(tag, 'BAD', text, code));
  }

  /** UTF8=ACCEPT changes how strings are written from now on. */
  setUtf8(): void {
    this.enabled.add('UTF8=ACCEPT');
    const pending = this.w.takeChunks();
    this.w = new ResponseWriter(true);
    for (const c of pending) this.w.bytes(c);
  }

  // ---- transport changes ----

  /** STARTTLS after the tagged OK went out: plaintext pipelined after the command is dropped (RFC 9051 6.2.1). */
  startTls(): void {
    this.receiver.takePending();
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('close');
    const tls = new TLSSocket(plain, { isServer: true, ...this.opts.tlsOptions() });
    this.socket = tls;
    this.out = tls;
    this.secure = true;
    this.attach(tls);
  }

  /** COMPRESS=DEFLATE (RFC 4978) after the tagged OK went out. */
  startCompression(): void {
    const inflate = createInflateRaw();
    const deflate = createDeflateRaw({ level: 6 });
    const transport: Duplex = this.socket;
    transport.removeAllListeners('data');
    transport.on('data', (d: Buffer) => inflate.write(d));
    inflate.on('data', (d: Buffer) => this.onData(d));
    inflate.on('error', () => this.destroy());
    deflate.on('error', () => this.destroy());
    deflate.pipe(transport);
    this.out = deflate;
    this.compressed = true;
    const pending = this.receiver.takePending();
    if (pending.length) inflate.write(pending);
  }

  // ---- selected folder ----

  select(mailbox: SelectedMailbox): void {
    this.unselect();
    this.selected = mailbox;
    this.state = 'selected';
    const stopListening = mailbox.view.listen(() => this.onChange(mailbox));
    this.unsubscribe = () => {
      stopListening();
      this.app.mailbox.views.release(mailbox.view);
    };
    // A change published between reading the snapshot and listening must not go unreported.
    if (mailbox.view.latest !== mailbox.base || mailbox.view.isStale) mailbox.dirty = true;
  }

  unselect(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.selected = null;
    if (this.state === 'selected') this.state = 'auth';
  }

  private onChange(sel: SelectedMailbox): void {
    if (this.selected !== sel) return;
    sel.dirty = true;
    if (this.idling) {
      this.queue.push({ type: 'sync' });
      void this.pump();
    }
  }

  // ---- end ----

  /** Untagged BYE and close. */
  bye(text: string, code?: ResponseCode): void {
    if (this.closed) return;
    this.state = 'logout';
    this.w.bytes(untagged('BYE', text, code));
    void this.flush().then(() => this.end());
  }

  /** Server shutdown: tell the client and close once the BYE is out. */
  shutdown(): void {
    this.bye('Server shutting down', 'UNAVAILABLE');
  }

  end(): void {
    if (this.closed) return;
    this.out.end();
    if (this.out !== this.socket) this.out.once('finish', () => this.socket.end());
    setTimeout(() => this.destroy(), 5000).unref();
  }

  destroy(): void {
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.unselect();
    this.discardSpools();
    this.queue.length = 0;
    if (this.actor) this.opts.limits.logout(this.actor.accountId);
    this.opts.onClose();
  }
}
