import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { startTestServer, type TestServer } from '../support/server.js';

export interface Pop3Fixture {
  server: TestServer;
  port: number;
  tlsPort: number;
  /** alice@example.test, password pw-alice-123456, with `count` messages in INBOX. */
  user: string;
  pass: string;
  close(): Promise<void>;
}

export function testMessage(i: number): string {
  return `From: s@example.org\r\nTo: alice@example.test\r\nSubject: message ${i}\r\nMessage-ID: <m${i}@example.org>\r\n\r\nBody of ${i}\r\n.dot line\r\nlast\r\n`;
}

export async function pop3Fixture(
  count: number,
  settings: Record<string, string> = {},
): Promise<Pop3Fixture> {
  const server = await startTestServer(settings);
  const { app } = server;
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const account = await app.directory.addAccount({
    address: 'alice@example.test',
    password: 'pw-alice-123456',
  });
  for (let i = 1; i <= count; i++) {
    const blob = await app.store.blobs.put(Buffer.from(testMessage(i)));
    await app.mailbox.deliver({
      accountId: account.id,
      blob,
      prefix: Buffer.from('Delivered-To: alice@example.test\r\n'),
      dedupeKey: `t${i}`,
    });
  }
  return {
    server,
    port: server.port('pop3'),
    tlsPort: server.port('pop3s'),
    user: 'alice@example.test',
    pass: 'pw-alice-123456',
    close: () => server.close(),
  };
}

/** Runs a program without blocking the event loop (the server under test shares it). */
export function run(
  cmd: string,
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/** Runs a Python snippet (poplib imported, PORT/TLS_PORT/USER/PASS defined) and returns what it prints as JSON. */
export async function python(f: Pop3Fixture, body: string): Promise<unknown> {
  const script = `import poplib, ssl, json, sys
PORT=${f.port}; TLS_PORT=${f.tlsPort}; USER=${JSON.stringify(f.user)}; PASS=${JSON.stringify(f.pass)}
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
${body}`;
  const r = await run('python3', ['-c', script]);
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A raw client: send lines, read until a predicate holds on the accumulated text. */
export class RawClient {
  private buf = '';
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (this.buf += d));
  }

  static async open(port: number): Promise<RawClient> {
    const s = connect(port, '127.0.0.1');
    await new Promise((r, j) => s.once('connect', r).once('error', j));
    const c = new RawClient(s);
    await c.until((t) => t.includes('\r\n'));
    return c;
  }

  async until(done: (text: string) => boolean, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!done(this.buf)) {
      if (Date.now() > deadline) throw new Error(`timeout; got ${JSON.stringify(this.buf)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const t = this.buf;
    this.buf = '';
    return t;
  }

  /** Sends a command and returns its one-line reply. */
  async cmd(line: string): Promise<string> {
    this.socket.write(line + '\r\n');
    return (await this.until((t) => t.includes('\r\n'))).trim();
  }

  close(): void {
    this.socket.destroy();
  }
}
