import { connect, type TLSSocket } from 'node:tls';

/**
 * A minimal pipelining POP3S client for benchmarks: logs in, then sends RETR commands in
 * windows and counts the multi-line terminators, never parsing bodies.
 */
export class BenchPop3Client {
  private waiters: Array<() => void> = [];
  private text = '';
  private terminators = 0;
  private tail = '';
  private counting = false;
  bytes = 0;

  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => this.onData(d));
  }

  static async open(port: number): Promise<BenchPop3Client> {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await new Promise((r, j) => socket.once('secureConnect', r).once('error', j));
    const c = new BenchPop3Client(socket);
    await c.line();
    return c;
  }

  private onData(d: Buffer): void {
    if (this.counting) {
      this.bytes += d.length;
      const s = this.tail + d.toString('latin1');
      let at = s.indexOf('\r\n.\r\n');
      while (at >= 0) {
        this.terminators++;
        at = s.indexOf('\r\n.\r\n', at + 5);
      }
      this.tail = s.slice(-4);
    } else this.text += d.toString('latin1');
    for (const w of this.waiters.splice(0)) w();
  }

  private async wait(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((r) => this.waiters.push(r));
  }

  async line(): Promise<string> {
    await this.wait(() => this.text.includes('\r\n'));
    const i = this.text.indexOf('\r\n');
    const l = this.text.slice(0, i);
    this.text = this.text.slice(i + 2);
    return l;
  }

  async command(cmd: string): Promise<string> {
    this.socket.write(cmd + '\r\n');
    const l = await this.line();
    if (!l.startsWith('+OK')) throw new Error(`${cmd.split(' ')[0]}: ${l}`);
    return l;
  }

  /** RETR 1..count with `window` commands in flight. */
  async retrAll(count: number, window = 32): Promise<void> {
    this.counting = true;
    let sent = 0;
    while (this.terminators < count) {
      let batch = '';
      while (sent < count && sent - this.terminators < window) batch += `RETR ${++sent}\r\n`;
      if (batch) this.socket.write(batch);
      const target = Math.min(count, this.terminators + 1);
      await this.wait(() => this.terminators >= target);
    }
    this.counting = false;
  }

  async quit(): Promise<void> {
    this.socket.write('QUIT\r\n');
    await new Promise((r) => this.socket.once('close', r).end());
  }
}
