// Server memory while one IMAP client fetches a large message: the RSS of `mailstead serve` (a
// child process) sampled every 10 ms during FETCH BODY.PEEK[] (streamed from the blob store) and
// FETCH BODY.PEEK[TEXT] (a section: read whole), with a client that reads as fast as it can.
// Usage: node dist/bench/imap/big-fetch.js [MEGABYTES]   (default 50)
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
const line = `${'z'.repeat(76)}\r\n`;
const size = MB * 1_000_000;
const body = line.repeat(Math.ceil(size / line.length)).slice(0, size - 40);
const { app, accountId } = await benchDataDir(dir, { address: USER, password: PASS });
const actor = await app.mailbox.actorFor(accountId);
await app.mailbox.folders.ensureDefaults(accountId);
await app.mailbox.messages.appendMany(actor, 'INBOX', [
  { data: Buffer.from(`Subject: big\r\nX-Pad: 0123456789\r\n\r\n${body}`) },
]);
await app.close();
const server = await serveForBench(dir, 'imaps', { ownSession: true });
try {
  const c = await BenchImapClient.open(server.port);
  await c.command(`LOGIN ${USER} ${PASS}`);
  await c.command('SELECT INBOX');
  for (const item of ['BODY.PEEK[]', 'BODY.PEEK[TEXT]', 'BODY.PEEK[]']) {
    await new Promise((r) => setTimeout(r, 1000));
    const before = rss(server.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(server.pid))), 10);
    const t = performance.now();
    const bytes = c.bytes;
    await c.command(`FETCH 1 (${item})`);
    clearInterval(sampler);
    console.log(
      `FETCH ${item.padEnd(16)} ${((c.bytes - bytes) / MiB).toFixed(1)} MiB in ${(performance.now() - t).toFixed(0)} ms; server RSS ${(before / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - before) / MiB).toFixed(0)} MiB)`,
    );
  }
  c.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
