import { execFile } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { startTestServer, type TestServer } from '../support/server.js';
import { SmtpWire, queuedId } from '../smtp/smtp-client.js';

export interface SieveFixture {
  server: TestServer;
  /** Account ids by address; every password is `pw-${local part}-123456`. */
  ids: Map<string, number>;
  close(): Promise<void>;
}

export const password = (address: string) => `pw-${address.split('@')[0]}-123456`;

/** A server with the domain example.test and the given accounts. */
export async function sieveFixture(
  accounts: string[],
  settings: Record<string, string> = {},
): Promise<SieveFixture> {
  const server = await startTestServer(settings);
  const { app } = server;
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const ids = new Map<string, number>();
  for (const address of accounts)
    ids.set(address, (await app.directory.addAccount({ address, password: password(address) })).id);
  return { server, ids, close: () => server.close() };
}

/** Stores `text` as the account's script "main" and makes it the active one. */
export async function activeScript(f: SieveFixture, address: string, text: string): Promise<void> {
  await f.server.app.sieve.putScript(f.ids.get(address)!, 'main', text);
  await f.server.app.sieve.activate(f.ids.get(address)!, 'main');
}

/** Sends one message over SMTP (port `smtp`) and returns its queue id. */
export async function sendMail(
  f: SieveFixture,
  from: string,
  to: string[],
  message: string,
): Promise<string> {
  const c = await SmtpWire.open(f.server.port('smtp'));
  try {
    await c.reply();
    await c.cmd('EHLO client.example.org');
    const expect = async (line: string, code: string) => {
      const r = await c.cmd(line);
      if (!r.startsWith(code)) throw new Error(`${line} -> ${r}`);
      return r;
    };
    await expect(`MAIL FROM:<${from}>`, '250');
    for (const t of to) await expect(`RCPT TO:<${t}>`, '250');
    await expect('DATA', '354');
    const r = await expect(`${message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.`, '250');
    await c.cmd('QUIT');
    return queuedId(r)!;
  } finally {
    c.close();
  }
}

export function message(headers: Record<string, string>, body = 'Hello.\n'): string {
  return `${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n${body}`;
}

/** Waits until the queue has nothing left to do now (deferred rows wait for later). */
export async function settle(f: SieveFixture, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const rows = await f.server.app.queue.admin.list({});
    if (!rows.some((r) => r.state === 'queued')) return;
    if (Date.now() > deadline) throw new Error('queue did not settle');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The messages of a folder: raw text and flags, in UID order. */
export async function folder(
  f: SieveFixture,
  address: string,
  name: string,
): Promise<{ raw: string; flags: string[] }[]> {
  const { mailbox } = f.server.app;
  const actor = await mailbox.actorFor(f.ids.get(address)!);
  let snap;
  try {
    snap = await mailbox.folders.select(actor, name);
  } catch {
    return [];
  }
  if (!snap.uids.length) return [];
  const metas = await mailbox.messages.fetch(actor, name, [
    [snap.uids[0]!, snap.uids[snap.uids.length - 1]!],
  ]);
  return Promise.all(
    metas.map(async (m) => ({
      raw: (await mailbox.messages.read(actor, name, m.uid)).toString('utf8'),
      flags: m.flags,
    })),
  );
}

/** Waits until `address`'s folder holds `count` messages. */
export async function waitFor(
  f: SieveFixture,
  address: string,
  name: string,
  count: number,
  ms = 10_000,
): Promise<{ raw: string; flags: string[] }[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const msgs = await folder(f, address, name);
    if (msgs.length >= count) return msgs;
    if (Date.now() > deadline) throw new Error(`${address} ${name}: ${msgs.length} of ${count} messages`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A folder's messages as an IMAP client reads them: Python's imaplib logs in over STARTTLS,
 * selects the folder read-only and fetches every message whole (BODY.PEEK[]), in UID order.
 * A folder that does not exist reads as empty.
 */
export function imapRead(f: SieveFixture, address: string, name: string): Promise<string[]> {
  const script = `
import imaplib, json, ssl, sys
a = json.loads(sys.stdin.read())
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4('127.0.0.1', a['port']); m.starttls(ssl_context=ctx); m.login(a['user'], a['password'])
out = []
typ, _ = m.select('"%s"' % a['folder'], readonly=True)
if typ == 'OK':
    typ, data = m.uid('SEARCH', None, 'ALL')
    for uid in data[0].split():
        typ, msg = m.uid('FETCH', uid, '(BODY.PEEK[])')
        out.append(msg[0][1].decode('utf-8', 'replace'))
m.logout()
print(json.dumps(out))`;
  return new Promise((resolve, reject) => {
    const child = execFile('python3', ['-c', script], { timeout: 30_000 }, (e, out, err) =>
      e ? reject(new Error(`imaplib: ${err || e.message}`)) : resolve(JSON.parse(out) as string[]),
    );
    child.stdin!.end(
      JSON.stringify({
        port: f.server.port('imap'),
        user: address,
        password: password(address),
        folder: name,
      }),
    );
  });
}

/** Waits until IMAP shows `count` messages in the folder, and returns them. */
export async function imapWait(
  f: SieveFixture,
  address: string,
  name: string,
  count: number,
  ms = 15_000,
): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const msgs = await imapRead(f, address, name);
    if (msgs.length >= count) return msgs;
    if (Date.now() > deadline)
      throw new Error(`${address} ${name} over IMAP: ${msgs.length} of ${count} messages`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A ManageSieve client that speaks the wire: commands and replies as raw text. */
export class SieveWire {
  private buf = Buffer.alloc(0);
  private constructor(private socket: Socket) {
    this.listen();
  }

  private listen(): void {
    this.socket.on('data', (d: Buffer) => (this.buf = Buffer.concat([this.buf, d])));
    this.socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<{ client: SieveWire; greeting: string }> {
    const s = netConnect(port, '127.0.0.1');
    await new Promise((r, j) => s.once('connect', r).once('error', j));
    const client = new SieveWire(s);
    return { client, greeting: await client.response() };
  }

  /** Everything up to and including the final OK/NO/BYE line. */
  async response(ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = this.buf.toString('utf8');
      const m = /(?:^|\r\n)(?:OK|NO|BYE)(?: [^\r\n]*)?\r\n/.exec(text);
      if (m) {
        const end = m.index + m[0].length;
        this.buf = Buffer.from(text.slice(end));
        return text.slice(0, end);
      }
      if (Date.now() > deadline) throw new Error(`no response; have ${JSON.stringify(text)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async cmd(line: string | Buffer): Promise<string> {
    this.socket.write(typeof line === 'string' ? `${line}\r\n` : line);
    return this.response();
  }

  async starttls(): Promise<string> {
    const ok = await this.cmd('STARTTLS');
    if (!ok.startsWith('OK')) return ok;
    this.socket.removeAllListeners('data');
    this.socket = await new Promise((resolve, reject) => {
      const t = tlsConnect({ socket: this.socket, rejectUnauthorized: false }, () => resolve(t));
      t.once('error', reject);
    });
    this.listen();
    return this.response();
  }

  async login(user: string, pass: string): Promise<string> {
    return this.cmd(`AUTHENTICATE "PLAIN" "${Buffer.from(`\0${user}\0${pass}`).toString('base64')}"`);
  }

  close(): void {
    this.socket.destroy();
  }
}
