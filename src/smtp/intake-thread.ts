import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import { asBuffer, ThreadRpc } from '../core/thread-rpc.js';
import type { Account, AuthContext } from '../directory/types.js';
import { LOG_LEVELS, type LogLevel } from '../log/forwarding-logger.js';
import type { Logger } from '../log/logger.js';
import type { ParsedBody } from '../mailbox/context.js';
import type { Metrics } from '../metrics/metrics.js';
import type { InboundClient } from '../policy/inbound-checks.js';
import type { PolicyDirectory } from '../policy/smtp-policy.js';
import type { Listenable, ProtocolService } from '../server/service.js';
import type { BlobRef } from '../store/blobs/blob-store.js';
import type { IntakeWorkerData } from './intake-worker.js';
import { LISTENERS } from './listener-profile.js';
import type { ReceivedMessage } from './message-intake.js';

/** What the SMTP thread asks of the main thread: everything that reads or writes the store. */
export interface IntakeBackend extends PolicyDirectory {
  config: Config;
  log: Logger;
  metrics: Metrics;
  authenticate(user: string, pass: string, ctx: AuthContext): Promise<Account>;
  storeBody(body: AsyncIterable<Buffer>): Promise<BlobRef>;
  queueMessage(m: ReceivedMessage): Promise<string | null>;
}

/**
 * One body arriving from the SMTP thread in pieces, read by the blob store as it arrives. A
 * piece's sender waits until the store has taken it; if the store fails, so does every send.
 */
class BodyChannel {
  private readonly pieces: { piece: Buffer | null; taken: () => void }[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  readonly stored: Promise<BlobRef>;

  constructor(storeBody: (body: AsyncIterable<Buffer>) => Promise<BlobRef>) {
    this.stored = storeBody(this.read());
    // A failed store is reported to whoever sends or ends; it is not unhandled meanwhile.
    this.stored.catch(() => undefined);
  }

  /** `null` ends the body. */
  send(piece: Buffer | null): Promise<void> {
    const taken = new Promise<void>((resolve) => {
      this.pieces.push({ piece, taken: resolve });
      this.wake?.();
    });
    return Promise.race([taken, this.stored.then(() => undefined)]);
  }

  fail(e: Error): void {
    this.failure = e;
    this.wake?.();
  }

  private async *read(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const next = this.pieces.shift();
      if (!next) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      next.taken();
      if (next.piece === null) return;
      yield next.piece;
    }
  }
}

/** A listening socket owned by the SMTP thread, bound and closed from here like a net.Server. */
class ThreadListener extends EventEmitter implements Listenable {
  private id: number | undefined;
  private bound: AddressInfo | null = null;

  constructor(
    private readonly thread: IntakeThread,
    private readonly service: string,
  ) {
    super();
  }

  listen(opts: { host: string; port: number; exclusive: boolean }, cb: () => void): this {
    this.bind(opts).then(
      () => {
        this.thread.listeners.add(this);
        cb();
      },
      (e: Error) => this.emit('error', e),
    );
    return this;
  }

  /** After a restart of the thread: the same address again, with the port first bound. */
  rebind(): Promise<void> {
    const a = this.bound!;
    return this.bind({ host: a.address, port: a.port, exclusive: true });
  }

  private async bind(opts: { host: string; port: number; exclusive: boolean }): Promise<void> {
    const r = await this.thread.rpc.call<{ id: number; address: AddressInfo }>('listen', this.service, opts);
    this.id = r.id;
    this.bound = r.address;
  }

  address(): AddressInfo | null {
    return this.bound;
  }

  close(cb?: (err?: Error) => void): this {
    const id = this.id;
    this.id = undefined;
    this.thread.listeners.delete(this);
    if (id === undefined) cb?.();
    else this.thread.rpc.call('close', id).then(() => cb?.(), cb);
    return this;
  }
}

export function spawnIntakeWorker(data: IntakeWorkerData): Worker {
  return new Worker(new URL('./intake-worker.js', import.meta.url), {
    workerData: data,
    transferList: [data.configPort],
  });
}

/** A restarted thread that dies sooner than this after its start is restarted after this delay, not at once. */
const RESTART_BACKOFF_MS = 10_000;

/**
 * The worker thread running the SMTP listeners, and the main thread's answers to its calls. If
 * the thread dies (an uncaught exception in it), a new one binds the same addresses, as Postfix's
 * master restarts a dead smtpd; sessions open at the time are lost, acknowledged mail is not.
 */
export class IntakeThread {
  rpc!: ThreadRpc;
  readonly listeners = new Set<ThreadListener>();
  readonly sessions = new Map<string, number>();
  private worker!: Worker;
  private readonly bodies = new Map<number, BodyChannel>();
  private configPort!: MessagePort;
  private configVersion!: Int32Array;
  private startedAt = 0;
  private restarted = false;
  private stopping = false;

  /** `spawn` starts the worker (tests keep a handle on it to end it). */
  constructor(
    private readonly backend: IntakeBackend,
    private readonly spawn = spawnIntakeWorker,
  ) {
    this.start();
    backend.config.on('change', this.onConfig);
    backend.metrics.addSource(() => this.rpc.call('metrics'));
  }

  private readonly onConfig = () => {
    this.configPort.postMessage(this.backend.config.snapshot());
    Atomics.add(this.configVersion, 0, 1);
  };

  private start(): void {
    const { backend } = this;
    const { config, log } = backend;
    const configChannel = new MessageChannel();
    const configVersion = new SharedArrayBuffer(4);
    this.configPort = configChannel.port1;
    this.configVersion = new Int32Array(configVersion);
    const data: IntakeWorkerData = {
      dataDir: config.dataDir,
      config: config.snapshot(),
      configPort: configChannel.port2,
      configVersion,
      logLevels: LOG_LEVELS.filter((l) => log.isLevelEnabled(l)),
    };
    const worker = this.spawn(data);
    // Shutdown is `stop`; the thread must not hold open a process that is exiting anyway.
    worker.unref();
    this.worker = worker;
    this.startedAt = Date.now();
    const bodies = this.bodies;
    const channel = (id: number) => {
      let c = bodies.get(id);
      if (!c) bodies.set(id, (c = new BodyChannel((body) => backend.storeBody(body))));
      return c;
    };
    this.rpc = new ThreadRpc(worker, {
      recipientFacts: (a: string, sender: string | null, client: InboundClient | null) =>
        backend.recipientFacts(a, sender, client),
      mayUseAddress: (account: Account, from: string) => backend.mayUseAddress(account, from),
      authenticate: (user: string, pass: string, ctx: AuthContext) => backend.authenticate(user, pass, ctx),
      queueMessage: (m: ReceivedMessage) => backend.queueMessage(m),
      bodyPiece: (id: number, piece: Uint8Array) => channel(id).send(asBuffer(piece)),
      bodyEnd: async (id: number, piece: Uint8Array) => {
        const c = channel(id);
        try {
          // A failed store rejects these sends too; `stored` reports that failure to the caller.
          if (piece.byteLength) c.send(asBuffer(piece)).catch(() => undefined);
          c.send(null).catch(() => undefined);
          return await c.stored;
        } finally {
          bodies.delete(id);
        }
      },
      bodyAbort: (id: number) => {
        bodies.get(id)?.fail(new Error('the SMTP session ended the transfer'));
        bodies.delete(id);
      },
      log: (level: LogLevel, obj: unknown, msg: string | undefined) => log[level](obj, msg),
      sessions: (listener: string, open: number) => this.sessions.set(listener, open),
      ready: () => log.debug({ event: 'smtp_thread_ready' }),
    });
    worker.on('error', (e) =>
      log.error({ event: 'smtp_thread_failed', err: e.message }, 'SMTP thread failed'),
    );
    worker.on('exit', (code) => this.exited(code));
  }

  private exited(code: number): void {
    this.configPort.close();
    this.rpc.close(new Error(`the SMTP thread has exited (code ${code})`));
    for (const c of this.bodies.values()) c.fail(new Error('the SMTP thread has exited'));
    this.bodies.clear();
    this.sessions.clear();
    if (this.stopping) return;
    const crashLoop = this.restarted && Date.now() - this.startedAt < RESTART_BACKOFF_MS;
    const delay = crashLoop ? RESTART_BACKOFF_MS : 0;
    this.backend.log.error(
      { event: 'smtp_thread_exit', code, restartInMs: delay },
      'SMTP thread exited; starting a new one on the same addresses',
    );
    setTimeout(() => {
      if (this.stopping) return;
      this.restarted = true;
      this.start();
      for (const l of this.listeners)
        l.rebind().catch((e: Error) =>
          this.backend.log.fatal(
            { event: 'smtp_rebind_failed', address: l.address(), err: e.message },
            'an SMTP listener could not be bound again',
          ),
        );
    }, delay).unref();
  }

  drain(service: string, timeoutMs: number): Promise<void> {
    return this.rpc.call('drain', service, timeoutMs);
  }

  /** A new body parsed for the mailbox on the SMTP thread (MailboxService.parseBodiesWith). */
  async parseBody(raw: Buffer): Promise<ParsedBody> {
    const p = await this.rpc.call<ParsedBody>('parseBody', raw);
    // Structured clone turns Buffers into plain Uint8Arrays; callers get what the local parse gives.
    if (p.structure) p.structure.envelopeWire = asBuffer(p.structure.envelopeWire);
    p.indexed.bodyText = asBuffer(p.indexed.bodyText);
    return p;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.backend.config.off('change', this.onConfig);
    await this.worker.terminate();
  }
}

/**
 * The SMTP listeners (MX, submission, submissions), run on a worker thread: one protocol service
 * per listener, as in-process services are, for the service control and the composition root.
 * The thread ends when every listener has been drained (server shutdown).
 */
export function smtpIntakeThread(thread: IntakeThread): ProtocolService[] {
  let undrained = LISTENERS.length;
  return LISTENERS.map((p) => ({
    name: p.name,
    key: p.key,
    createServer: () => new ThreadListener(thread, p.name),
    connections: () => thread.sessions.get(p.name) ?? 0,
    async drain(timeoutMs: number) {
      try {
        await thread.drain(p.name, timeoutMs);
      } finally {
        if (--undrained === 0) await thread.stop();
      }
    },
  }));
}
