import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect, type Socket } from 'node:net';
import { startTestServer, type TestServer } from '../support/server.js';

export const ALICE = { user: 'alice@example.test', pass: 'pw-alice-123456' };
export const BOB = { user: 'bob@example.test', pass: 'pw-bob-1234567' };

export interface ImapFixture {
  server: TestServer;
  port: number;
  tlsPort: number;
  accounts: { alice: number; bob: number };
  /** Delivers a message to an account's folder (INBOX) as the delivery agent does. */
  deliver(accountId: number, text: string, folder?: string): Promise<void>;
  close(): Promise<void>;
}

export function message(i: number, extra = ''): string {
  return `From: Sender ${i} <s${i}@example.org>\r\nTo: alice@example.test\r\nSubject: message ${i}\r\nDate: Mon, ${String((i % 27) + 1).padStart(2, '0')} Jan 2024 10:00:00 +0000\r\nMessage-ID: <m${i}@example.org>\r\n${extra}\r\nBody of message ${i}\r\nword${i}\r\n`;
}

let dedupe = 0;

/** A server with alice and bob; alice has `count` messages in INBOX. Plaintext login allowed unless settings say otherwise. */
export async function imapFixture(count = 0, settings: Record<string, string> = {}): Promise<ImapFixture> {
  const server = await startTestServer({ 'auth.allow_plaintext': 'true', ...settings });
  const { app } = server;
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const alice = await app.directory.addAccount({ address: ALICE.user, password: ALICE.pass });
  const bob = await app.directory.addAccount({ address: BOB.user, password: BOB.pass });
  const deliver = async (accountId: number, text: string, folder?: string) => {
    const blob = await app.store.blobs.put(Buffer.from(text));
    await app.mailbox.deliver({
      accountId,
      blob,
      prefix: Buffer.alloc(0),
      dedupeKey: `fixture-${dedupe++}`,
      ...(folder ? { folder } : {}),
    });
  };
  for (let i = 1; i <= count; i++) await deliver(alice.id, message(i));
  return {
    server,
    port: server.port('imap'),
    tlsPort: server.port('imaps'),
    accounts: { alice: alice.id, bob: bob.id },
    deliver,
    close: () => server.close(),
  };
}

/**
 * A client that speaks the wire: `cmd` sends a tagged command and resolves with every line up to
 * and including the tagged completion; untagged lines that arrive between commands are kept for
 * `waitFor`.
 */
export class ImapClient {
  private buf = Buffer.alloc(0);
  private n = 0;
  private constructor(public socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.on('data', (d: Buffer) => (this.buf = Buffer.concat([this.buf, d])));
    socket.on('error', () => undefined);
  }

  static async open(port: number, tls = false): Promise<ImapClient> {
    const s = tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : connect(port, '127.0.0.1');
    await new Promise((r, j) => s.once(tls ? 'secureConnect' : 'connect', r).once('error', j));
    const c = new ImapClient(s);
    c.greeting = await c.waitFor(/\r\n/);
    return c;
  }

  static async login(port: number, who = ALICE): Promise<ImapClient> {
    const c = await ImapClient.open(port);
    const r = await c.cmd(`LOGIN ${who.user} ${who.pass}`);
    if (!/^\S+ OK/m.test(r.at(-1)!)) throw new Error(`login failed: ${r.join('\n')}`);
    return c;
  }

  greeting = '';

  get text(): string {
    return this.buf.toString('utf8');
  }

  /** Waits until the received text matches, then takes and returns it. */
  async waitFor(re: RegExp, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!re.test(this.text)) {
      if (Date.now() > deadline)
        throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(this.text)}`);
      if (this.socket.destroyed && !re.test(this.text))
        throw new Error(`connection closed; got ${JSON.stringify(this.text)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const t = this.text;
    this.buf = Buffer.alloc(0);
    return t;
  }

  /** Sends raw bytes. */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends `tag command` and returns the response lines, the tagged one last. */
  async cmd(command: string, ms = 5000): Promise<string[]> {
    const tag = `t${++this.n}`;
    this.socket.write(`${tag} ${command}\r\n`);
    const text = await this.waitFor(new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)[^\\r]*\\r\\n`), ms);
    return text.split('\r\n').filter((l) => l !== '');
  }

  /** The last line of `cmd`: the tagged completion without its tag. */
  async status(command: string): Promise<string> {
    return (await this.cmd(command)).at(-1)!.replace(/^\S+ /, '');
  }

  /** Upgrades the connection after a STARTTLS OK. */
  async startTls(): Promise<void> {
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    const s = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise((r, j) => s.once('secureConnect', r).once('error', j));
    this.socket = s;
    this.listen(s);
  }

  /** Resolves once the server has closed the connection. */
  async closed(): Promise<void> {
    if (!this.socket.destroyed && !this.socket.closed) await new Promise((r) => this.socket.once('close', r));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Only the untagged lines of a response. */
export function untagged(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith('* '));
}

/** Response lines with the tag of the completion removed, for exact comparisons. */
export function tagless(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^t\d+ /, ''));
}
