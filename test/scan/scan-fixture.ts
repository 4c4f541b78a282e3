import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir } from '../support/tmp.js';

const run = promisify(execFile);

/** A small rules file, so tests never wait for the stock ruleset. */
export const TEST_RULES = `
body     MS_TEST_PILLS    /cheap pills/i
score    MS_TEST_PILLS    6.0
describe MS_TEST_PILLS    Sells cheap pills
body     MS_TEST_CASINO   /online casino/i
score    MS_TEST_CASINO   12.0
describe MS_TEST_CASINO   Online casino offer
rewrite_header Subject *****SPAM*****
report_safe 0
`;

export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

export interface ScanFixture {
  server: TestServer;
  ids: Map<string, number>;
  close(): Promise<void>;
}

/** A server with example.test, the given accounts, TEST_RULES as its local rules, and spam rules compiled. */
export async function scanFixture(
  accounts: string[],
  settings: Record<string, string> = {},
): Promise<ScanFixture> {
  const rules = tempDir();
  mkdirSync(join(rules.dir, 'spam'));
  writeFileSync(join(rules.dir, 'spam', 'local.cf'), TEST_RULES);
  const server = await startTestServer({ 'spam.rules_dir': join(rules.dir, 'spam'), ...settings });
  const { app } = server;
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const ids = new Map<string, number>();
  for (const address of accounts)
    ids.set(
      address,
      (await app.directory.addAccount({ address, password: `pw-${address.split('@')[0]}-123456` })).id,
    );
  const deadline = Date.now() + 30_000;
  while (app.config.get<boolean>('spam.enabled') && !app.scan.spam.isReady) {
    if (Date.now() > deadline) throw new Error('spam rules did not compile within 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    server,
    ids,
    async close() {
      await server.close();
      rules.cleanup();
    },
  };
}

/** Sends a message with Python's smtplib; resolves with the reply to DATA (code and text). */
export async function smtplibSend(
  port: number,
  from: string,
  to: string[],
  message: string,
): Promise<{ code: number; text: string }> {
  const script = `
import json, smtplib, sys
a = json.loads(sys.stdin.read())
s = smtplib.SMTP('127.0.0.1', a['port'], timeout=60)
s.ehlo('client.example.org')
s.mail(a['from'])
for t in a['to']: s.rcpt(t)
try:
    code, text = s.data(a['message'].encode('latin1'))
except smtplib.SMTPDataError as e:
    code, text = e.smtp_code, e.smtp_error
print(json.dumps([code, text.decode('latin1')]))
s.quit()
`;
  const child = run('python3', ['-c', script], { maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin!.end(JSON.stringify({ port, from, to, message }));
  const { stdout } = await child;
  const [code, text] = JSON.parse(stdout) as [number, string];
  return { code, text };
}

export function mail(subject: string, body: string, extra: Record<string, string> = {}): string {
  const headers = {
    From: 'Sender <sender@remote.example>',
    To: 'rcpt@example.test',
    Subject: subject,
    'Message-ID': `<${Math.random().toString(36).slice(2)}@remote.example>`,
    ...extra,
  };
  return `${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** Waits until every queued recipient has been handled. */
export async function settle(f: ScanFixture, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const rows = await f.server.app.queue.admin.list({});
    if (!rows.some((r) => r.state === 'queued')) return;
    if (Date.now() > deadline) throw new Error('queue did not settle');
    await new Promise((r) => setTimeout(r, 25));
  }
}
