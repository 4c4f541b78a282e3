/**
 * SMTP accept + local delivery throughput, Mailstead against the reference Postfix → Dovecot
 * (LMTP, Maildir) in the same run, both loaded by Postfix's smtp-source. Not a test:
 * `npm run build && node dist/bench/smtp/throughput.js [COUNT]`. Needs root for the reference
 * (see /work/shared/reference/); skip it with REFERENCE=off. The reference runs no content filter,
 * so by default neither does Mailstead (spam scan and SPF/DKIM/DMARC off); FILTERS=on keeps them.
 * SIZES=4096,102400 and SESSIONS=1,20,100 choose the runs; ROUNDS=N repeats each pair of runs N
 * times and reports the median ratio (both servers' speed drifts from minute to minute on a shared
 * machine, so one pair decides little). Each server first takes WARMUP
 * messages (default 1000) of the same load, untimed: a server runs for days, and Mailstead's
 * JIT compiler was still optimising code through the first thousands of messages, on the core
 * the timed run needs.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApp } from '../../src/app.js';
import { SqliteDb } from '../../src/store/sqlite/sqlite-db.js';
import { tempDir } from '../../test/support/tmp.js';
import { freePort, prepareDataDir, spawnServer, stopGracefully } from '../../test/queue/server-process.js';
import { median } from '../median.js';
import { processCpu, processTreeCpu } from '../proc-cpu.js';

const run = promisify(execFile);
const COUNT = Number(process.argv[2] ?? 2000);
const WARMUP = Number(process.env.WARMUP ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const REF = '/work/shared/reference';
// u9: the IMAP and POP3 benchmarks fill and empty u1's reference mailbox.
const RCPT = 'u9@example.test';
const REF_MAIL = '/tmp/mailstead-reference/mail/example.test/u9/Maildir';
const REF_PF = '/tmp/mailstead-reference/pf';
const REF_DOVECOT_CONF = '/tmp/mailstead-reference/dc/dovecot.conf';
const REF_MASTERS = [
  '/tmp/mailstead-reference/pf/spool/pid/master.pid',
  '/tmp/mailstead-reference/dc/run/master.pid',
];

/** Postfix's and Dovecot's masters with every daemon they run or have reaped. */
function referenceCpu(): number {
  return REF_MASTERS.reduce((sum, f) => sum + processTreeCpu(Number(readFileSync(f, 'utf8').trim())), 0);
}

interface Result {
  size: number;
  sessions: number;
  accepted: number;
  delivered: number;
  p50?: number;
  p99?: number;
  rssMb?: number;
  /** Server CPU (user + system, every thread and process) per delivered message. */
  cpuMs: number;
}

async function waitUntil(
  probe: () => Promise<number> | number,
  target: number,
  timeoutMs = 600_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await probe()) < target) {
    if (Date.now() > deadline) throw new Error(`timed out at ${await probe()}/${target}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function load(
  port: number,
  n: number,
  sessions: number,
  size: number,
  count: () => Promise<number> | number,
  cpu: () => number,
): Promise<{ accepted: number; delivered: number; cpuMs: number }> {
  const before = await count();
  const cpu0 = cpu();
  const t0 = performance.now();
  await run(
    'smtp-source',
    [
      '-s',
      String(sessions),
      '-l',
      String(size),
      '-m',
      String(n),
      '-f',
      'load@src.test',
      '-t',
      RCPT,
      `127.0.0.1:${port}`,
    ],
    { maxBuffer: 1 << 26 },
  );
  const t1 = performance.now();
  await waitUntil(async () => (await count()) - before, n);
  const t2 = performance.now();
  return {
    accepted: n / ((t1 - t0) / 1000),
    delivered: n / ((t2 - t0) / 1000),
    cpuMs: ((cpu() - cpu0) * 1000) / n,
  };
}

/** The server's histogram of the final 250: cumulative counts by upper bucket bound. */
function acceptBuckets(metrics: string): Array<{ le: number; n: number }> {
  return [
    ...metrics.matchAll(/mailstead_smtp_accept_seconds_bucket\{le="([^"]+)",listener="smtp"\} (\d+)/g),
  ].map((m) => ({ le: Number(m[1]), n: Number(m[2]) }));
}

/** p50/p99 of the final 250 between two readings of the histogram (upper bucket bounds). */
function quantiles(before: string, after: string): { p50: number; p99: number } {
  const earlier = acceptBuckets(before);
  const buckets = acceptBuckets(after).map((b, i) => ({ le: b.le, n: b.n - (earlier[i]?.n ?? 0) }));
  const total = buckets.at(-1)?.n ?? 0;
  const q = (p: number) => (buckets.find((b) => b.n >= total * p)?.le ?? NaN) * 1000;
  return { p50: q(0.5), p99: q(0.99) };
}

async function mailstead(size: number, sessions: number, n: number): Promise<Result> {
  const { dir, cleanup } = tempDir('mailstead-bench-');
  try {
    const port = await freePort();
    const http = await freePort();
    const filters: Record<string, string> =
      process.env.FILTERS === 'on' ? {} : { 'spam.enabled': 'no', 'authenticity.check': 'no' };
    await prepareDataDir(dir, port, {
      'smtp.max_clients_per_ip': '0',
      'listen.http': `127.0.0.1:${http}`,
      'smtp.max_message_size': '50M',
      ...filters,
    });
    const app = await openApp(dir);
    await app.directory.addAccount({ address: RCPT, password: 'pw-u9-123456' });
    await app.close();
    // A daemon's own session, as Postfix's and Dovecot's masters have (see spawnServer).
    const child = await spawnServer(dir, [], { ownSession: true });
    const db = SqliteDb.open(join(dir, 'mailstead.db'), { readonly: true });
    try {
      const count = async () =>
        Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM mailbox_messages'))?.n ?? 0);
      const cpu = () => processCpu(child.pid!);
      const metrics = async () => (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
      if (WARMUP) await load(port, WARMUP, sessions, size, count, cpu);
      const warm = await metrics();
      const r = await load(port, n, sessions, size, count, cpu);
      const rss = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return {
        size,
        sessions,
        ...r,
        ...quantiles(warm, await metrics()),
        rssMb: rss ? Number(rss[1]) / 1024 : undefined,
      };
    } finally {
      await db.close();
      await stopGracefully(child);
    }
  } finally {
    cleanup();
  }
}

function refCount(): number {
  let n = 0;
  for (const d of ['new', 'cur']) n += readdirSync(join(REF_MAIL, d)).length;
  return n;
}

async function reference(size: number, sessions: number, n: number): Promise<Result> {
  const count = () => {
    try {
      return refCount();
    } catch {
      return 0;
    }
  };
  // Mailstead runs start from an empty store: so does the reference. Messages left by earlier runs
  // (20,000 after a day of benches) made every LMTP delivery rewrite a 166 KB dovecot-uidlist,
  // halving the reference's delivery rate. Emptied after its warm-up too; Mailstead keeps its
  // warm-up's messages.
  const expunge = () =>
    execFileSync('doveadm', ['-c', REF_DOVECOT_CONF, 'expunge', '-u', RCPT, 'mailbox', 'INBOX', 'all']);
  if (WARMUP) {
    expunge();
    await load(12525, WARMUP, sessions, size, count, referenceCpu);
  }
  expunge();
  return { size, sessions, ...(await load(12525, n, sessions, size, count, referenceCpu)) };
}

const fmt = (r: Result | undefined) =>
  r
    ? `${r.accepted.toFixed(0).padStart(5)} acc ${r.delivered.toFixed(0).padStart(5)} dlv ${r.cpuMs.toFixed(2).padStart(6)} ms CPU/msg`
    : '-';

async function main(): Promise<void> {
  const withRef = process.env.REFERENCE !== 'off';
  if (withRef) {
    execFileSync('bash', [join(REF, 'postfix-dovecot.sh')], { stdio: 'inherit' });
    // Postfix refuses a 51st connection from one client by default; Mailstead's limit is off here too.
    execFileSync('postconf', ['-c', REF_PF, '-e', 'smtpd_client_connection_count_limit=0']);
    execFileSync('postfix', ['-c', REF_PF, 'reload'], { stdio: 'ignore' });
  }
  console.log(
    `SMTP throughput, ${COUNT} messages per run (at most 1000 of messages over 10 KB, 300 with one session) after ${WARMUP} untimed (msg/s accepted, delivered; server CPU per delivered message; p50/p99 of the final 250; peak RSS)`,
  );
  const list = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d);
  for (const size of list(process.env.SIZES, [4096, 100 * 1024])) {
    for (const sessions of list(process.env.SESSIONS, [1, 20, 100])) {
      const n = sessions === 1 ? Math.min(COUNT, 300) : size > 10_000 ? Math.min(COUNT, 1000) : COUNT;
      const label = `${String(size / 1024).padStart(4)} KB ${String(sessions).padStart(3)} sessions`;
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const m = await mailstead(size, sessions, n);
        console.log(
          `${label}  Mailstead       ${fmt(m)}  p50 ${m.p50?.toFixed(0)} ms p99 ${m.p99?.toFixed(0)} ms  peak RSS ${m.rssMb?.toFixed(0)} MB`,
        );
        if (!withRef) continue;
        const p = await reference(size, sessions, n);
        ratios.push(m.delivered / p.delivered);
        console.log(
          `${label}  Postfix→Dovecot ${fmt(p)}  ratio (delivered) ${ratios.at(-1)!.toFixed(2)}x, CPU per message ${(m.cpuMs / p.cpuMs).toFixed(2)}x`,
        );
      }
      if (ratios.length > 1) {
        const sorted = [...ratios].sort((a, b) => a - b);
        console.log(
          `${label}  ratio (delivered) over ${sorted.length} rounds: median ${median(sorted).toFixed(2)}x, ${sorted.map((r) => `${r.toFixed(2)}x`).join(' ')}`,
        );
      }
    }
  }
}

await main();
