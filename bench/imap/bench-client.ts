import { connect, type TLSSocket } from 'node:tls';

/**
 * A minimal IMAPS client for benchmarks: sends one command at a time and waits for its tagged
 * completion, counting bytes and never parsing or keeping the responses.
 */
export class BenchImapClient {
  /** The end of what the server sent since the last command or IDLE (up to 4 KiB). */
  tail = '';
  private waiting: { tag: string; resolve: (line: string) => void } | undefined;
  private n = 0;
  bytes = 0;

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<BenchImapClient> {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await new Promise((r, j) => socket.once('secureConnect', r).once('error', j));
    const c = new BenchImapClient(socket);
    await new Promise<void>((resolve) => {
      const check = () => (c.tail.includes('\r\n') ? resolve() : setTimeout(check, 1));
      check();
    });
    return c;
  }

  private onData(d: Buffer): void {
    this.bytes += d.length;
    // Only the end of the stream is kept: enough to find `tag OK ...\r\n`.
    this.tail = (this.tail + d.toString('latin1')).slice(-4096);
    const w = this.waiting;
    if (!w) return;
    const at =
      this.tail.lastIndexOf(`\r\n${w.tag} `) >= 0
        ? this.tail.lastIndexOf(`\r\n${w.tag} `) + 2
        : this.tail.startsWith(`${w.tag} `)
          ? 0
          : -1;
    if (at < 0) return;
    const end = this.tail.indexOf('\r\n', at);
    if (end < 0) return;
    this.waiting = undefined;
    w.resolve(this.tail.slice(at, end));
  }

  /** Sends a command; resolves with its tagged completion line, rejects on NO/BAD. */
  command(text: string): Promise<string> {
    const tag = `b${++this.n}`;
    this.tail = '';
    return new Promise((resolve, reject) => {
      this.waiting = {
        tag,
        resolve: (line) => (/^\S+ OK/.test(line) ? resolve(line) : reject(new Error(`${text}: ${line}`))),
      };
      this.socket.write(`${tag} ${text}\r\n`);
    });
  }

  /** Starts IDLE and resolves once the server accepted it. */
  async idle(): Promise<void> {
    this.tail = '';
    this.socket.write('i IDLE\r\n');
    await new Promise<void>((resolve) => {
      const check = () => (this.tail.includes('+ ') ? resolve() : setTimeout(check, 5));
      check();
    });
  }

  /** IDLE until the server reports a new message or `ms` pass, then DONE; true if one came. */
  async idleFor(ms: number): Promise<boolean> {
    await this.idle();
    const deadline = Date.now() + ms;
    const news = await new Promise<boolean>((resolve) => {
      const check = () =>
        /\* \d+ EXISTS/.test(this.tail)
          ? resolve(true)
          : Date.now() > deadline
            ? resolve(false)
            : setTimeout(check, 50);
      check();
    });
    const done = new Promise<string>((resolve) => (this.waiting = { tag: 'i', resolve }));
    this.socket.write('DONE\r\n');
    await done;
    return news;
  }

  close(): void {
    this.socket.destroy();
  }
}
