// "The whole suite serving 50 users": peak memory of `mailstead serve --init` (default
// configuration, spam scanning with its default rules, SPF/DKIM/DMARC checks on) while
//   - 50 accounts each keep an IMAPS session: LOGIN, SELECT INBOX, then IDLE; when IDLE reports a
//     new message, the client fetches its envelope and structure, then its body, and marks it
//     seen; every IDLE of 10-30 s without news ends in a resync (FETCH 1:* FLAGS), and every
//     fourth loop also opens an older message (BODY.PEEK[]) and lists the envelopes from uid 51
//     on (UID FETCH 51:*);
//   - SMTP deliveries run at the same time: half the sender sessions come in on the MX port from
//     outside (scanned for spam), half are the users sending to each other on the submission port
//     (STARTTLS + AUTH, through nodemailer), 1-3 local recipients each, sizes from 2 KB to 1 MB
//     (most small), each session sending one message after another as fast as it is answered
//     (a saturating load), or with RATE=N, all sessions together about N messages a second at
//     random (Poisson) times: 50 people receiving ~150 and sending ~40 messages a working day
//     make ~0.3 msg/s, so RATE=1 is a busy hour of such an office.
// Every account starts with 100 messages (a quarter of the sizes above). The server's peak RSS
// is VmHWM of its one process (its threads included), read at the end; PSS and RSS are also
// sampled every 200 ms. Load figures (messages, IMAP operations, latencies) come with it, since
// a lighter load would weigh less.
//
// Run: flock /tmp/mailstead-bench.lock node dist/bench/footprint/fifty-users.js [SECONDS=120] [SENDERS=10]
// The server runs with the node flags of bin/mailstead.js's first line (SERVER_NODE_ARGS='…' tries others).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import nodemailer from 'nodemailer';
import { openApp } from '../../src/app.js';
import { tempDir } from '../../test/support/tmp.js';
import { BenchImapClient } from '../imap/bench-client.js';
import { fillInbox } from '../imap/fill.js';
import { prepareDataDir, startMailstead } from './mailstead-process.js';
import { mib, samplePeak, sumPss, sumRss, treeMemory } from './proc-memory.js';

// USERS and PREFILL change the load for a quick check of the benchmark itself
const USERS = Number(process.env.USERS ?? 50);
const PREFILL = Number(process.env.PREFILL ?? 100);
/** messages a second from all senders together; 0: each sends back to back */
const RATE = Number(process.env.RATE ?? 0);
const password = (i: number) => `pw-user${i}-bench-123`;
const address = (i: number) => `user${i}@example.test`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A plain text message of about `size` bytes, lines of 76 characters. */
function message(from: string, to: string[], size: number, n: number): string {
  const line = 'The quick brown fox jumps over the lazy dog while the mail server keeps count.'.slice(0, 76);
  const body = Array.from({ length: Math.max(1, Math.ceil(size / 78)) }, () => line).join('\r\n');
  return (
    `From: <${from}>\r\nTo: ${to.map((t) => `<${t}>`).join(', ')}\r\nSubject: footprint load ${n}\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMessage-ID: <fp-${n}-${Date.now()}@example.test>\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}\r\n`
  );
}

// mostly small messages, some larger, a few big ones
function messageSize(): number {
  const r = Math.random();
  return r < 0.7 ? 2_000 + Math.random() * 8_000 : r < 0.95 ? 20_000 + Math.random() * 80_000 : 1_000_000;
}

class Latencies {
  readonly ms: number[] = [];
  async time<T>(fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    const r = await fn();
    this.ms.push(performance.now() - t);
    return r;
  }
  quantile(q: number): string {
    const s = [...this.ms].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(0) : '-';
  }
}

async function imapUser(
  port: number,
  i: number,
  until: number,
  stats: { ops: number; news: number; lat: Latencies },
) {
  const c = await BenchImapClient.open(port);
  try {
    await stats.lat.time(() => c.command(`LOGIN ${address(i)} ${password(i)}`));
    await stats.lat.time(() => c.command('SELECT INBOX'));
    for (let loop = 1; Date.now() < until; loop++) {
      const news = await c.idleFor(Math.min(until - Date.now(), 10_000 + Math.random() * 20_000));
      const commands = news
        ? [
            'FETCH * (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)',
            'FETCH * BODY.PEEK[]',
            'STORE * +FLAGS.SILENT (\\Seen)',
          ]
        : ['FETCH 1:* (UID FLAGS)'];
      if (loop % 4 === 0)
        commands.push(
          `FETCH ${1 + Math.floor(Math.random() * PREFILL)} BODY.PEEK[]`,
          `UID FETCH ${Math.max(1, PREFILL - 49)}:* (UID FLAGS ENVELOPE)`,
        );
      if (news) stats.news++;
      for (const cmd of commands) {
        await stats.lat.time(() => c.command(cmd));
        stats.ops++;
      }
    }
    await c.command('LOGOUT').catch(() => undefined);
  } finally {
    c.close();
  }
}

async function sender(
  ports: Record<string, number>,
  kind: 'mx' | 'submission',
  until: number,
  stats: { sent: number; bytes: number; failed: number; lat: Latencies },
  firstError: (e: Error) => void,
  senders: number,
): Promise<void> {
  const me = 1 + Math.floor(Math.random() * USERS);
  const transport = nodemailer.createTransport(
    kind === 'mx'
      ? {
          host: '127.0.0.1',
          port: ports.smtp!,
          secure: false,
          ignoreTLS: true,
          pool: true,
          maxConnections: 1,
        }
      : {
          host: '127.0.0.1',
          port: ports.submission!,
          secure: false,
          requireTLS: true,
          tls: { rejectUnauthorized: false },
          auth: { user: address(me), pass: password(me) },
          pool: true,
          maxConnections: 1,
        },
  );
  // with RATE, the sessions' exponential gaps add up to a Poisson stream of RATE messages a second
  const gap = () => (RATE > 0 ? (-Math.log(1 - Math.random()) * 1000 * senders) / RATE : 0);
  let next = Date.now() + gap();
  try {
    while (Date.now() < until) {
      if (RATE > 0) {
        await sleep(Math.max(0, next - Date.now()));
        next += gap();
        if (Date.now() >= until) break;
      }
      const users = Array.from(
        { length: 1 + Math.floor(Math.random() * 3) },
        () => 1 + Math.floor(Math.random() * USERS),
      );
      const to = [...new Set(users)].map(address);
      const from = kind === 'mx' ? `someone${Math.floor(Math.random() * 1000)}@outside.test` : address(me);
      const raw = message(from, to, messageSize(), stats.sent);
      try {
        await stats.lat.time(() => transport.sendMail({ envelope: { from, to }, raw }));
        stats.sent++;
        stats.bytes += raw.length;
      } catch (e) {
        stats.failed++;
        firstError(e as Error);
        await sleep(500);
      }
    }
  } finally {
    transport.close();
  }
}

export async function main(
  seconds = Number(process.argv[2] ?? 120),
  senders = Number(process.argv[3] ?? 10),
) {
  const { dir, cleanup } = tempDir('mailstead-fifty-');
  try {
    await prepareDataDir(dir);
    const app = await openApp(dir);
    if (!(await app.directory.isLocalDomain('example.test')))
      await app.directory.addDomain({ name: 'example.test' });
    const t0 = performance.now();
    for (let i = 1; i <= USERS; i++) {
      const { id } = await app.directory.addAccount({ address: address(i), password: password(i) });
      await fillInbox(
        app,
        id,
        PREFILL,
        (n) => message('old@outside.test', [address(i)], messageSize() / 4, n),
        () => undefined,
      );
    }
    await app.close();
    console.log(
      `${USERS} accounts with ${PREFILL} messages each, made in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const server = await startMailstead(dir);
    const status = () => readFileSync(`/proc/${server.pid}/status`, 'utf8');
    const vm = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())?.[1]);
    try {
      const idle = treeMemory([server.pid]);
      console.log(`server ready: ${mib(sumPss(idle))} MiB PSS, ${mib(sumRss(idle))} MiB RSS`);
      const sampler = samplePeak(() => [server.pid]);
      const until = Date.now() + seconds * 1000;
      const imap = { ops: 0, news: 0, lat: new Latencies() };
      const smtp = { sent: 0, bytes: 0, failed: 0, lat: new Latencies() };
      let error: string | undefined;
      const t1 = performance.now();
      const users = Array.from({ length: USERS }, async (_, k) => {
        // clients log in over the first five seconds, not all in one instant
        await sleep((k * 5000) / USERS);
        return imapUser(server.ports.imaps!, k + 1, until, imap);
      });
      const sending = Array.from({ length: senders }, (_, k) =>
        sender(server.ports, k % 2 ? 'submission' : 'mx', until, smtp, (e) => (error ??= e.message), senders),
      );
      await Promise.all([...users, ...sending]);
      const secs = (performance.now() - t1) / 1000;
      const peak = sampler.stop();
      console.log(
        `load, ${secs.toFixed(0)} s: ${USERS} IMAP sessions (${imap.ops} commands, ${imap.news} new-mail wake-ups from IDLE, ` +
          `p50/p99 ${imap.lat.quantile(0.5)}/${imap.lat.quantile(0.99)} ms); ${senders} SMTP sender sessions, ` +
          `${RATE ? `RATE=${RATE} msg/s` : 'back to back'} ` +
          `(${smtp.sent} messages, ${(smtp.sent / secs).toFixed(1)} msg/s, ${mib(smtp.bytes / 1024)} MiB, ` +
          `p50/p99 ${smtp.lat.quantile(0.5)}/${smtp.lat.quantile(0.99)} ms, ${smtp.failed} failed${error ? `: first ${error}` : ''})`,
      );
      console.log(
        `server peak: ${mib(vm('VmHWM'))} MiB RSS (VmHWM); sampled every 200 ms: ${mib(peak.pss)} MiB PSS, ${mib(peak.rss)} MiB RSS`,
      );
      const after = treeMemory([server.pid]);
      console.log(`after the load: ${mib(sumPss(after))} MiB PSS, ${mib(sumRss(after))} MiB RSS`);
    } finally {
      await server.stop();
    }
  } finally {
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
