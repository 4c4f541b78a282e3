import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/**
 * A minimal SMTP client for tests that speak the wire: send raw lines (pipelined or not) and read
 * whole replies (multi-line replies joined with \n). Bad input is sent exactly as given.
 */
export class SmtpWire {
  private buf = '';
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  private attach(s: Socket | TLSSocket): void {
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
    s.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    s.on('error', () => undefined);
  }

  static async open(port: number, opts: { tls?: boolean } = {}): Promise<SmtpWire> {
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s = opts.tls
        ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(s))
        : netConnect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    return new SmtpWire(socket);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends one command line (CRLF added) and returns its reply. */
  async cmd(line: string, timeoutMs = 10_000): Promise<string> {
    this.write(line + '\r\n');
    return this.reply(timeoutMs);
  }

  /** The next complete reply; '' when the server closed the connection first. */
  async reply(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return m[0].replace(/\r/g, '').trimEnd();
      }
      if (this.closed) return '';
      if (Date.now() > deadline)
        throw new Error(`no SMTP reply within ${timeoutMs} ms; have ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async starttls(): Promise<string> {
    const r = await this.cmd('STARTTLS');
    if (!r.startsWith('220')) return r;
    this.socket.removeAllListeners('data');
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: this.socket, rejectUnauthorized: false }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
    return r;
  }

  async waitClosed(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The queue id of a `250 2.0.0 Ok: queued as ID` reply. */
export function queuedId(reply: string): string | undefined {
  return /queued as ([0-9A-Z]+)/.exec(reply)?.[1];
}
