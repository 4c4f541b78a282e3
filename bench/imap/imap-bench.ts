// IMAP on a large mailbox: Mailstead (imaps, `mailstead serve` in a child process) against the
// reference Dovecot (/work/shared/reference/postfix-dovecot.sh, imaps on 11993) in the same run,
// same messages, same client. Usage (needs root for Dovecot's Maildir):
//   node dist/bench/imap/imap-bench.js [MESSAGES] [IDLE_CONNECTIONS] [ROUNDS]   (default 100000 5000 3)
// BENCH_DATA=DIR keeps Mailstead's filled data dir and reuses it; SKIP_DOVECOT=1 measures Mailstead alone.
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDataDir, serveForBench } from '../serve-for-bench.js';
import { openApp } from '../../src/app.js';
import { Config } from '../../src/config/config.js';
import { fillInbox } from './fill.js';
import { BenchImapClient } from './bench-client.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const IDLERS = Number(process.argv[3] ?? 5000);
const ROUNDS = Number(process.argv[4] ?? 3);
const REF_DIR = process.env.REF_DIR ?? '/tmp/mailstead-reference';
const DOVECOT_PORT = 11993;
// u2: u1 takes the reference SMTP benchmark's mail, u3 the POP3 benchmark's.
const USER = 'u2@example.test';
const PASS = 'pw-u2-123';

/** A plausible message of about 2 KB with a word found in no other message. */
function messageText(i: number): string {
  const para = `Line ${i} of a benchmark message, with some words to carry: lorem ipsum dolor sit amet.\r\n`;
  return `From: Sender ${i % 500} <sender${i % 500}@example.org>\r\nTo: ${USER}\r\nSubject: benchmark message ${i}\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <bench-${i}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${para.repeat(20)}unique token${i}x\r\n`;
}

/** Maildir files written directly: what LMTP delivery would leave, in a fraction of the time. */
function fillDovecot(): void {
  execFileSync('bash', ['/work/shared/reference/postfix-dovecot.sh'], { stdio: 'ignore' });
  const maildir = join(REF_DIR, 'mail', 'example.test', 'u2', 'Maildir');
  rmSync(maildir, { recursive: true, force: true });
  const uid = Number(execFileSync('id', ['-u', 'vmail']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'vmail']).toString().trim());
  for (const d of ['', 'cur', 'new', 'tmp']) {
    mkdirSync(join(maildir, d), { recursive: true });
    chownSync(join(maildir, d), uid, gid);
  }
  for (let i = 1; i <= COUNT; i++) {
    const f = join(maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.bench:2,`);
    writeFileSync(f, messageText(i));
    chownSync(f, uid, gid);
  }
  for (const p of [join(REF_DIR, 'mail', 'example.test', 'u2'), join(REF_DIR, 'mail', 'example.test')])
    chownSync(p, uid, gid);
}

/**
 * A data dir holding the benchmark mailbox. With BENCH_DATA=DIR the dir is kept and reused when it
 * already holds COUNT messages (filling 100 000 takes a while); otherwise a temp dir is used.
 */
async function mailsteadData(): Promise<{ dir: string; keep: boolean }> {
  const keep = !!process.env.BENCH_DATA;
  const dir = process.env.BENCH_DATA ?? mkdtempSync(join(tmpdir(), 'mailstead-bench-imap-'));
  const marker = join(dir, `bench-filled-${COUNT}`);
  if (keep && existsSync(marker)) {
    console.log(`mailstead: reusing ${dir} (${COUNT} messages)`);
    return { dir, keep };
  }
  // A kept dir whose fill was stopped is filled on, not again (100 000 messages take a while).
  if (keep && existsSync(join(dir, 'mailstead.toml'))) {
    const app = await openApp(dir);
    const account = await app.directory.getAccount(USER);
    if (account) {
      await fillInbox(app, account.id, COUNT, messageText, (l) => console.log(`mailstead: ${l}`));
      await app.close();
      writeFileSync(marker, '');
      return { dir, keep };
    }
    await app.close();
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { app, accountId } = await benchDataDir(dir, { address: USER, password: PASS });
  await fillInbox(app, accountId, COUNT, messageText, (l) => console.log(`mailstead: ${l}`));
  await app.close();
  writeFileSync(marker, '');
  return { dir, keep };
}

async function startMailstead(): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const { dir, keep } = await mailsteadData();
  const config = Config.open(dir);
  config.set('imap.max_connections_per_ip', String(IDLERS + 100));
  config.set('imap.max_connections_per_account', String(IDLERS + 100));
  // Opening 10,000 sessions on a loaded machine took about 45 minutes: with the default 30-minute
  // idle timeout the first ones were closed before the last were open.
  config.set('imap.idle_timeout', '4h');
  config.close();
  const server = await serveForBench(dir, 'imaps', { ownSession: true });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Timings = Record<string, number>;

async function timed(into: Timings, name: string, fn: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await fn();
  into[name] = performance.now() - t;
}

async function operations(port: number, round: number): Promise<Timings> {
  const t: Timings = {};
  let c!: BenchImapClient;
  await timed(t, 'login+SELECT', async () => {
    c = await BenchImapClient.open(port);
    await c.command(`LOGIN ${USER} ${PASS}`);
    await c.command('SELECT INBOX');
  });
  await timed(t, 'UID FETCH 1:* (FLAGS)', () => c.command('UID FETCH 1:* (FLAGS)'));
  await timed(t, 'FETCH 1:* (ENVELOPE)', () => c.command('FETCH 1:* (ENVELOPE)'));
  await timed(t, 'SEARCH SUBJECT', () =>
    c.command(`SEARCH SUBJECT "benchmark message ${Math.floor(COUNT / 2) + round}"`),
  );
  await timed(t, 'SEARCH BODY', () => c.command(`SEARCH BODY "token${Math.floor(COUNT / 3) + round}x"`));
  await timed(t, 'STORE +FLAGS 1:*', () => c.command(`STORE 1:* ${round % 2 ? '-' : '+'}FLAGS (\\Flagged)`));
  await c.command('LOGOUT').catch(() => undefined);
  c.close();
  return t;
}

/**
 * Proportional set size (shared pages split between processes, so many processes are not
 * overcounted) and resident set size, summed over `pids`.
 */
function memOf(pids: number[]): { pss: number; rss: number } {
  let pss = 0;
  let rss = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/Pss:\s+(\d+)/.exec(rollup)?.[1] ?? 0) * 1024;
      rss += Number(/Rss:\s+(\d+)/.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended meanwhile.
    }
  }
  return { pss, rss };
}

function dovecotPids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        return /^(dovecot|imap|imap-login|auth|anvil|log|config|stats)$/.test(
          readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
        );
      } catch {
        return false;
      }
    });
}

/**
 * Opens IDLE sessions until `n` or until the server refuses. The cost of one is the PSS growth
 * from the first half of the sessions to all of them: what was allocated before (and the heap
 * the timed operations left behind) does not count.
 */
async function idleCost(
  port: number,
  pids: () => number[],
  n: number,
): Promise<{
  open: number;
  pss: number;
  rss: number;
  bytesEach: number;
  seconds: number;
  told: { within1s: number; all: number | undefined };
}> {
  const clients: BenchImapClient[] = [];
  const settle = () => new Promise((r) => setTimeout(r, 2000));
  const openSome = async (upTo: number): Promise<boolean> => {
    while (clients.length < upTo) {
      const batch = await Promise.allSettled(
        Array.from({ length: Math.min(50, upTo - clients.length) }, async () => {
          const c = await BenchImapClient.open(port);
          clients.push(c);
          await c.command(`LOGIN ${USER} ${PASS}`);
          await c.command('SELECT INBOX');
          await c.idle();
        }),
      );
      if (batch.some((b) => b.status === 'rejected')) return false;
    }
    return true;
  };
  const start = performance.now();
  try {
    await openSome(Math.floor(n / 2));
    await settle();
    const half = clients.filter((c) => !c.socket.destroyed).length;
    const atHalf = memOf(pids()).pss;
    await openSome(n);
    const seconds = (performance.now() - start) / 1000;
    await settle();
    const { pss, rss } = memOf(pids());
    const open = clients.filter((c) => !c.socket.destroyed).length;
    const told = await newMailReaches(
      port,
      clients.filter((c) => !c.socket.destroyed),
    );
    return { open, pss, rss, bytesEach: (pss - atHalf) / Math.max(1, open - half), seconds, told };
  } finally {
    for (const c of clients) c.close();
  }
}

/**
 * Appends a message from one more session and waits until every IDLE session has reported it
 * (`* n EXISTS`): how many did within a second, and when the last did (undefined after 60 s).
 * The times include this one client process reading every session's TLS. The message is
 * expunged again, so the benchmark mailbox keeps its size.
 */
async function newMailReaches(
  port: number,
  idlers: BenchImapClient[],
): Promise<{ within1s: number; all: number | undefined }> {
  const c = await BenchImapClient.open(port);
  try {
    await c.command(`LOGIN ${USER} ${PASS}`);
    await c.command('SELECT INBOX');
    const msg = messageText(COUNT + 1);
    const start = performance.now();
    // Not awaited: the sessions may be told before the APPEND completes.
    const appended = c.command(`APPEND INBOX {${msg.length}+}\r\n${msg}`);
    let within1s = 0;
    let all: number | undefined;
    const told = new Set<BenchImapClient>();
    while (performance.now() - start < 60_000) {
      for (const x of idlers) if (!told.has(x) && /\* \d+ EXISTS/.test(x.tail)) told.add(x);
      const t = performance.now() - start;
      if (t <= 1000) within1s = told.size;
      if (told.size === idlers.length) {
        all = t;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const uid = /APPENDUID \d+ (\d+)/.exec(await appended)?.[1];
    if (uid) {
      await c.command(`UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
      await c.command(`UID EXPUNGE ${uid}`);
    }
    return { within1s, all };
  } finally {
    c.close();
  }
}

function report(name: string, i: Awaited<ReturnType<typeof idleCost>>, note = ''): void {
  console.log(
    `IDLE: ${name} ${i.open} sessions${note} on the ${COUNT}-message INBOX, opened in ${i.seconds.toFixed(0)} s; PSS ${(i.pss / MiB).toFixed(0)} MiB, RSS ${(i.rss / MiB).toFixed(0)} MiB in all, ${(i.bytesEach / 1024).toFixed(0)} KiB PSS per added session`,
  );
  console.log(
    `  a message APPENDed by another session: ${i.told.within1s} of ${i.open} IDLE sessions reported it within 1 s, ${i.told.all === undefined ? 'not all within 60 s' : `all within ${i.told.all.toFixed(0)} ms`}`,
  );
}

const MiB = 1024 ** 2;
const withDovecot = !process.env.SKIP_DOVECOT;
if (withDovecot) {
  console.log(`filling dovecot with ${COUNT} messages (Maildir)`);
  fillDovecot();
}
const ms = await startMailstead();
try {
  const dovecot: Timings[] = [];
  const ours: Timings[] = [];
  // One untimed pass each: Dovecot builds its index and cache on first access.
  if (withDovecot) await operations(DOVECOT_PORT, 0);
  await operations(ms.port, 0);
  for (let r = 1; r <= ROUNDS; r++) {
    if (withDovecot) dovecot.push(await operations(DOVECOT_PORT, r));
    ours.push(await operations(ms.port, r));
  }
  console.log(
    `\nIMAP on a ${COUNT}-message INBOX over TLS, best of ${ROUNDS} (ratio: dovecot time / mailstead time; above 1 is faster than dovecot)`,
  );
  for (const op of Object.keys(ours[0]!)) {
    const o = Math.min(...ours.map((x) => x[op]!));
    const d = withDovecot ? Math.min(...dovecot.map((x) => x[op]!)) : NaN;
    console.log(
      `  ${op.padEnd(24)} dovecot ${d.toFixed(0).padStart(7)} ms   mailstead ${o.toFixed(0).padStart(7)} ms   ratio ${(d / o).toFixed(2)}x`,
    );
  }
  if (IDLERS > 0) {
    console.log('');
    report('mailstead', await idleCost(ms.port, () => [ms.pid], IDLERS), ' (one process)');
    if (withDovecot) report('dovecot', await idleCost(DOVECOT_PORT, dovecotPids, IDLERS), ' (its processes)');
  }
} finally {
  await ms.stop();
}
