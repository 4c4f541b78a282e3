// Server memory while one IMAP client fetches a large message: the RSS of `mailstead serve` (a
// child process) sampled every 10 ms during FETCHes of the whole message, its text, its base64
// attachment as stored and decoded (BINARY) and a partial, with a client that reads as fast as it
// can. The message is multipart: a short text part and a base64 attachment making up the size.
// Usage: node dist/bench/imap/big-fetch.js [MEGABYTES]   (default 50)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDataDir, serveForBench } from '../serve-for-bench.js';
import { BenchImapClient } from './bench-client.js';

const MB = Number(process.argv[2] ?? 50);
const USER = 'big@example.test';
const PASS = 'pw-big-123456';
const MiB = 1024 ** 2;

function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

const dir = mkdtempSync(join(tmpdir(), 'mailstead-bench-big-'));
// 76 base64 characters and CRLF carry 57 bytes.
const attachment = randomBytes(Math.floor((MB * 1_000_000 * 57) / 78))
  .toString('base64')
  .replace(/(.{76})/g, '$1\r\n');
const body =
  'preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n' +
  '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
  `${attachment}\r\n--b--\r\n`;
const { app, accountId } = await benchDataDir(dir, { address: USER, password: PASS });
const actor = await app.mailbox.actorFor(accountId);
await app.mailbox.folders.ensureDefaults(accountId);
await app.mailbox.messages.appendMany(actor, 'INBOX', [
  {
    data: Buffer.from(
      `Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${body}`,
    ),
  },
]);
await app.close();
const server = await serveForBench(dir, 'imaps', { ownSession: true });
try {
  const c = await BenchImapClient.open(server.port);
  await c.command(`LOGIN ${USER} ${PASS}`);
  await c.command('SELECT INBOX');
  for (const item of [
    'BODY.PEEK[]',
    'BODY.PEEK[TEXT]',
    'BODY.PEEK[2]',
    'BINARY.PEEK[2]',
    'BODY.PEEK[2]<1000000.1000>',
    'BODY.PEEK[]',
  ]) {
    await new Promise((r) => setTimeout(r, 1000));
    const before = rss(server.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(server.pid))), 10);
    const t = performance.now();
    const bytes = c.bytes;
    await c.command(`FETCH 1 (${item})`);
    clearInterval(sampler);
    console.log(
      `FETCH ${item.padEnd(27)} ${((c.bytes - bytes) / MiB).toFixed(1)} MiB in ${(performance.now() - t).toFixed(0)} ms; server RSS ${(before / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - before) / MiB).toFixed(0)} MiB)`,
    );
  }
  c.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
