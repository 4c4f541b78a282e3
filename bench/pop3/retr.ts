// POP3 RETR of 10 000 messages: Mailstead (pop3s, served by `mailstead serve` in a child process)
// against the reference Dovecot (/work/shared/reference/postfix-dovecot.sh, pop3s on 11995),
// same messages, same pipelining client, in the same run. Usage:
//   node dist/bench/pop3/retr.js [COUNT] [ROUNDS]      (default 10000 3; needs root for Dovecot's Maildir)
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveForBench } from '../serve-for-bench.js';
import { openApp } from '../../src/app.js';
import { initDataDir } from '../../src/cli/init.js';
import { Config } from '../../src/config/config.js';
import { fillInbox } from '../imap/fill.js';
import { BenchPop3Client } from './pop3-client.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const REF_DIR = process.env.REF_DIR ?? '/tmp/mailstead-reference';
const DOVECOT_PORT = 11995;
// u3: u1 takes the reference SMTP benchmark's mail, u2 the IMAP benchmark's.
const USER = 'u3@example.test';
const PASS = 'pw-u3-123';

/** A plausible message of about 4 KB, different per index. */
function messageText(i: number): string {
  const para = `Line ${i} of a benchmark message, with some words to carry: lorem ipsum dolor sit amet.\r\n`;
  return `From: Bench <bench@example.org>\r\nTo: ${USER}\r\nSubject: benchmark message ${i}\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <bench-${i}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${para.repeat(45)}.leading dot line\r\n`;
}

async function timeRetr(port: number): Promise<{ ms: number; bytes: number }> {
  const c = await BenchPop3Client.open(port);
  await c.command(`USER ${USER}`);
  await c.command(`PASS ${PASS}`);
  const stat = await c.command('STAT');
  if (Number(stat.split(' ')[1]) !== COUNT)
    throw new Error(`expected ${COUNT} messages, server says ${stat}`);
  const t = performance.now();
  await c.retrAll(COUNT);
  const ms = performance.now() - t;
  await c.quit();
  return { ms, bytes: c.bytes };
}

function fillDovecot(): void {
  execFileSync('bash', ['/work/shared/reference/postfix-dovecot.sh'], { stdio: 'ignore' });
  const maildir = join(REF_DIR, 'mail', 'example.test', 'u3', 'Maildir');
  rmSync(maildir, { recursive: true, force: true });
  const uid = Number(execFileSync('id', ['-u', 'vmail']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'vmail']).toString().trim());
  for (const d of ['', 'cur', 'new', 'tmp']) {
    mkdirSync(join(maildir, d), { recursive: true });
    chownSync(join(maildir, d), uid, gid);
  }
  for (let i = 1; i <= COUNT; i++) {
    const f = join(maildir, 'new', `${1_700_000_000 + i}.M${i}P1.bench`);
    writeFileSync(f, messageText(i));
    chownSync(f, uid, gid);
  }
  for (const p of [join(REF_DIR, 'mail', 'example.test', 'u3'), join(REF_DIR, 'mail', 'example.test')])
    chownSync(p, uid, gid);
}

async function startMailstead(): Promise<{ port: number; stop: () => Promise<void>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mailstead-bench-pop3-'));
  await initDataDir(dir, { hostname: 'mail.example.test' });
  const config = Config.open(dir);
  for (const k of ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'managesieve', 'http'])
    config.set(`listen.${k}`, '127.0.0.1:0');
  config.set('listen.pop3s', '127.0.0.1:0');
  config.set('log.level', 'warn');
  config.close();
  const app = await openApp(dir);
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const account = await app.directory.addAccount({ address: USER, password: PASS });
  await fillInbox(app, account.id, COUNT, messageText, (l) => console.log(`mailstead: ${l}`));
  await app.close();
  const server = await serveForBench(dir, 'pop3s', { ownSession: true });
  return {
    port: server.port,
    dir,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function best(runs: Array<{ ms: number; bytes: number }>) {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

const fmt = (r: { ms: number; bytes: number }) =>
  `${(r.ms / 1000).toFixed(2)} s, ${((COUNT * 1000) / r.ms).toFixed(0)} msg/s, ${(r.bytes / 1024 ** 2 / (r.ms / 1000)).toFixed(1)} MiB/s`;

fillDovecot();
const ms = await startMailstead();
try {
  const dovecot: Array<{ ms: number; bytes: number }> = [];
  const ours: Array<{ ms: number; bytes: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    dovecot.push(await timeRetr(DOVECOT_PORT));
    ours.push(await timeRetr(ms.port));
  }
  const d = best(dovecot);
  const o = best(ours);
  console.log(`POP3 RETR of ${COUNT} messages over TLS (best of ${ROUNDS}):`);
  console.log(`  dovecot   ${fmt(d)}`);
  console.log(`  mailstead ${fmt(o)}`);
  console.log(
    `  ratio     ${(d.ms / o.ms).toFixed(2)}x (dovecot time / mailstead time; above 1 is faster than dovecot)`,
  );
} finally {
  await ms.stop();
}
