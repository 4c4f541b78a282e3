import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.js';
import { SmtpWire } from './smtp-client.js';

export const PASSWORD = 'pw-test-123456';

/** A test server with accounts bob, alice, carol @example.test (password PASSWORD). */
export async function startSmtpServer(settings: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer({ 'smtp.max_clients_per_ip': '0', ...settings });
  for (const u of ['bob', 'alice', 'carol'])
    await s.app.directory.addAccount({ address: `${u}@example.test`, password: PASSWORD });
  return s;
}

/** Opens a session on a listener and says EHLO; returns the client and the EHLO reply. */
export async function session(
  s: TestServer,
  listener = 'smtp',
  opts: { tls?: boolean; helo?: string } = {},
): Promise<{ c: SmtpWire; ehlo: string }> {
  const c = await SmtpWire.open(s.port(listener), { tls: opts.tls ?? false });
  const greeting = await c.reply();
  if (!greeting.startsWith('220')) throw new Error(`greeting: ${greeting}`);
  return { c, ehlo: await c.cmd(`EHLO ${opts.helo ?? 'client.example.org'}`) };
}

/** STARTTLS, EHLO again and AUTH PLAIN as `user`. */
export async function login(
  c: SmtpWire,
  user: string,
  password = PASSWORD,
  starttls = true,
): Promise<string> {
  if (starttls) {
    await c.starttls();
    await c.cmd('EHLO client.example.org');
  }
  return c.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`);
}

/** A whole transaction; returns the last reply (the one after DATA, or the first refusal). */
export async function send(
  c: SmtpWire,
  from: string,
  to: string[],
  body = 'Subject: test\r\n\r\nhello\r\n',
): Promise<string> {
  let r = await c.cmd(`MAIL FROM:<${from}>`);
  if (!r.startsWith('250')) return r;
  for (const t of to) {
    r = await c.cmd(`RCPT TO:<${t}>`);
    if (!r.startsWith('250')) return r;
  }
  r = await c.cmd('DATA');
  if (!r.startsWith('354')) return r;
  return c.cmd(`${body}.`);
}

/** Waits until the queue holds no recipient in the given states. */
export async function queueSettled(s: TestServer, states = ['queued'], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await s.app.store.db.all<{ n: number }>(
      `SELECT COUNT(*) AS n FROM queue_recipients WHERE state IN (${states.map(() => '?').join(', ')})`,
      states,
    );
    if (Number(rows[0]?.n) === 0) return;
    if (Date.now() > deadline) throw new Error('queue did not settle');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The stored messages (prefix + body) of an account's INBOX. */
export async function inbox(s: TestServer, address: string): Promise<string[]> {
  const account = await s.app.directory.getAccount(address);
  if (!account) throw new Error(`no account ${address}`);
  const rows = await s.app.store.db.all<{ prefix: Buffer; hash: string }>(
    `SELECT m.prefix AS prefix, b.hash AS hash FROM mailbox_messages m JOIN mailbox_folders f ON f.id = m.folder_id JOIN mailbox_bodies b ON b.id = m.body_id WHERE f.owner_id = ? AND f.name = 'INBOX' ORDER BY m.uid`,
    [account.id],
  );
  return Promise.all(
    rows.map(
      async (r) =>
        Buffer.from(r.prefix).toString('utf8') + (await s.app.store.blobs.get(r.hash)).toString('utf8'),
    ),
  );
}

/** Polls `probe` until it returns something (up to `timeoutMs`). */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Blobs begun and not finished: files in the blob dir's tmp/, and database uploads without a hash. */
export async function partialBlobs(s: TestServer): Promise<number> {
  const r = await s.app.store.db.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM blob_contents WHERE hash IS NULL',
  );
  const tmp = join(s.app.config.path('store.blob_dir'), 'tmp');
  return Number(r?.n) + (existsSync(tmp) ? readdirSync(tmp).length : 0);
}

/** Waits (bounded) for the server to notice a dropped client and discard its partial blob. */
export async function noPartialBlobs(s: TestServer): Promise<number> {
  for (let i = 0; i < 50 && (await partialBlobs(s)); i++) await new Promise((r) => setTimeout(r, 100));
  return partialBlobs(s);
}
