import { MailsteadError } from './errors.js';

/** Either end of a worker thread's channel: `Worker` on the main thread, `parentPort` in the worker. */
export interface RpcPort {
  postMessage(value: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', fn: (value: unknown) => void): unknown;
}

/** A Buffer sent to another thread arrives as a plain Uint8Array over the same bytes. */
export const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

// Handlers take whatever their callers send; each side types its own calls.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RpcHandlers = Record<string, (...args: any[]) => unknown>;

/** An error as it crosses the channel: what replies and callers read from it, not its stack. */
interface WireError {
  message: string;
  code?: string;
  smtp?: MailsteadError['smtp'];
  imap?: MailsteadError['imap'];
  operator?: boolean;
}

type Message =
  | { t: 'call'; id: number; m: string; a: unknown[] }
  | { t: 'result'; id: number; v?: unknown; e?: WireError }
  | { t: 'notes'; n: [string, unknown[]][] };

function toWire(e: unknown): WireError {
  const err = e as Partial<MailsteadError> & { code?: unknown; message?: unknown };
  return {
    message: typeof err?.message === 'string' ? err.message : String(e),
    ...(typeof err?.code === 'string' ? { code: err.code } : {}),
    ...(err instanceof MailsteadError ? { smtp: err.smtp, imap: err.imap, operator: err.operator } : {}),
  };
}

function fromWire(w: WireError): Error {
  const e =
    w.smtp || w.imap || w.operator
      ? new MailsteadError(w.message, {
          ...(w.smtp ? { smtp: w.smtp } : {}),
          ...(w.imap ? { imap: w.imap } : {}),
          operator: !!w.operator,
        })
      : new Error(w.message);
  return w.code ? Object.assign(e, { code: w.code }) : e;
}

/**
 * Calls between the main thread and a worker thread, both ways. A call's error arrives as a
 * MailsteadError with the same protocol meaning, so a refusal decided on one side is replied
 * to the client on the other. Notes (no answer) made in one event-loop turn travel as one
 * message: each message wakes the other side's loop.
 */
export class ThreadRpc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private notes: [string, unknown[]][] = [];
  private closedWith: Error | undefined;

  constructor(
    private readonly port: RpcPort,
    private readonly handlers: RpcHandlers,
  ) {
    port.on('message', (m) => this.receive(m as Message));
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.send<T>(method, args, []);
  }

  /**
   * A call that hands `moved`, one of `args`, to the other thread instead of copying it: it is
   * empty here afterwards. A buffer that shares its memory (Node's pool of small ones) is copied.
   */
  callMoving<T>(method: string, moved: Buffer, ...args: unknown[]): Promise<T> {
    const own =
      moved.byteLength > 0 && moved.byteOffset === 0 && moved.byteLength === moved.buffer.byteLength;
    return this.send<T>(method, args, own ? [moved.buffer as ArrayBuffer] : []);
  }

  private send<T>(method: string, args: unknown[], transfer: ArrayBuffer[]): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ t: 'call', id, m: method, a: args } satisfies Message, transfer);
    });
  }

  notify(method: string, ...args: unknown[]): void {
    if (this.closedWith) return;
    if (this.notes.length === 0) setImmediate(() => this.flush());
    this.notes.push([method, args]);
  }

  /** The other side is gone: every unanswered call fails with `reason`, and so do later ones. */
  close(reason: Error): void {
    this.closedWith = reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    this.notes = [];
  }

  private flush(): void {
    const n = this.notes;
    this.notes = [];
    if (!n.length || this.closedWith) return;
    try {
      this.port.postMessage({ t: 'notes', n } satisfies Message);
    } catch {
      // One note that cannot be cloned (a function in a log record) must not take the others with it.
      for (const note of n) {
        try {
          this.port.postMessage({ t: 'notes', n: [note] } satisfies Message);
        } catch {
          // dropped: nothing on the other side could have read it
        }
      }
    }
  }

  private receive(msg: Message): void {
    if (msg.t === 'result') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.e) p.reject(fromWire(msg.e));
      else p.resolve(msg.v);
    } else if (msg.t === 'call') {
      const reply = (r: { v?: unknown; e?: WireError }) => {
        try {
          this.port.postMessage({ t: 'result', id: msg.id, ...r } satisfies Message);
        } catch (e) {
          // An answer that cannot be cloned fails the call rather than leaving the caller waiting.
          this.port.postMessage({ t: 'result', id: msg.id, e: toWire(e) } satisfies Message);
        }
      };
      const h = this.handlers[msg.m];
      if (!h) return reply({ e: { message: `no handler for ${msg.m}` } });
      let out: unknown;
      try {
        out = h(...msg.a);
      } catch (e) {
        return reply({ e: toWire(e) });
      }
      Promise.resolve(out).then(
        (v) => reply({ v }),
        (e: unknown) => reply({ e: toWire(e) }),
      );
    } else {
      for (const [m, a] of msg.n) this.handlers[m]?.(...a);
    }
  }
}
