/**
 * The spam-storm case: fresh mail to a live destination while the queue holds BACKLOG deferred
 * recipients (due now) for a dead one. Measures fresh-mail latency (accepted → at the receiving
 * MTA) and throughput without and with the backlog, and how long the queue takes to try every
 * backlog recipient once. Not a test:
 * `npm run build && flock /tmp/mailstead-bench.lock node dist/bench/remote/spam-storm.js [FRESH] [BACKLOG]`.
 * MAILSTEAD_TEST_BACKEND=postgres (with MAILSTEAD_TEST_PG_URL) runs it on PostgreSQL;
 * BACKLOG_PER_MESSAGE=1 spreads the backlog over as many messages as recipients.
 */
import { openApp } from '../../src/app.js';
import { openDatabase } from '../../src/store/store.js';
import { testStore } from '../../test/support/server.js';
import { freePort, prepareDataDir, spawnServer, stopGracefully } from '../../test/queue/server-process.js';
import { tempDir } from '../../test/support/tmp.js';
import { CountingSinks, destinationDns, inject, message } from './parts.js';

/** Node options for the server process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const SERVER_NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const FRESH = Number(process.argv[2] ?? 300);
const BACKLOG = Number(process.argv[3] ?? 100_000);
/** Backlog recipients per message: 100 by default; BACKLOG_PER_MESSAGE=1 makes a backlog of as many messages. */
const PER_MESSAGE = Number(process.env.BACKLOG_PER_MESSAGE ?? 100);
/** What the backlog's rows do not record about where they came from. */
const UNKNOWN_CLIENT = { clientName: null, helo: null, authUser: null, dsnRet: null, dsnEnvid: null };

/** Writes the backlog straight into the queue store: one transaction per 100 messages. */
async function fillBacklog(dir: string, recipients: number): Promise<number> {
  const app = await openApp(dir);
  const t0 = performance.now();
  try {
    const blob = await app.store.blobs.put(message('backlog', 4096));
    const now = Date.now();
    const messages = Math.ceil(recipients / PER_MESSAGE);
    for (let m = 0; m < messages; m += 100) {
      const batch = Array.from({ length: Math.min(100, messages - m) }, (_, k) => ({
        id: `backlog${m + k}`,
        sender: 'spammer@src.test',
        blob,
        trace: '',
        messageId: null,
        subject: 'backlog',
        clientIp: '127.0.0.1',
        source: 'smtp',
        receivedAt: now,
        ...UNKNOWN_CLIENT,
        recipients: Array.from({ length: PER_MESSAGE }, (_, j) => ({
          address: `v${j}.${m + k}@dead.bench.test`,
          domain: 'dead.bench.test',
          kind: 'remote' as const,
          orcpt: null,
          notify: 'NEVER',
          state: 'deferred' as const,
          nextAttempt: now,
        })),
      }));
      await app.store.db.tx((tx) => app.queue.queue.repo.insertMessages(tx, batch));
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await app.close();
  }
}

/** Seconds from `t0` until every backlog recipient was tried at least once. */
async function backlogPass(dir: string, url: string, t0: number): Promise<number> {
  const db = await openDatabase({ url, dataDir: dir });
  try {
    for (;;) {
      const r = await db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM queue_recipients WHERE domain = 'dead.bench.test' AND attempts = 0",
      );
      if (Number(r?.n) === 0) return (performance.now() - t0) / 1000;
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    await db.close();
  }
}

async function run(sinks: CountingSinks, backlog: number): Promise<string> {
  const live = sinks.destinations[0]!;
  const dns = await destinationDns(sinks.destinations, (d) =>
    d
      .add('dead.bench.test', { type: 'MX', exchange: 'mx.dead.bench.test', priority: 10 })
      .add('mx.dead.bench.test', { type: 'A', address: '127.0.0.1' }),
  );
  const { dir, cleanup } = tempDir('mailstead-bench-');
  const store = await testStore();
  try {
    const port = await freePort();
    await prepareDataDir(dir, port, {
      ...store.settings,
      'dns.servers': dns.address,
      // The dead destination's MX port is closed: every attempt fails to connect.
      'smtp.routes': `${live.domain}::${live.port}, dead.bench.test::1`,
      'smtp.trusted_networks': '127.0.0.0/8',
      'smtp.max_clients_per_ip': '0',
      'spam.enabled': 'no',
      'authenticity.check': 'no',
    });
    const fill = backlog ? await fillBacklog(dir, backlog) : 0;
    const child = await spawnServer(dir, SERVER_NODE_ARGS, { ownSession: true });
    try {
      const before = sinks.recipients;
      const t0 = performance.now();
      const sent = await inject(port, FRESH, 4, (i) => [`f${i}@${live.domain}`], 4096, 20);
      await sinks.waitFor(before + FRESH);
      const secs = (performance.now() - t0) / 1000;
      const lat = [...sent].map(([s, t]) => sinks.arrivals.get(s)! - t).sort((a, b) => a - b);
      const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]!.toFixed(0);
      const pass = backlog
        ? `  every backlog recipient tried once after ${(await backlogPass(dir, store.settings['store.url'] ?? 'sqlite:mailstead.db', t0)).toFixed(1)} s`
        : '';
      return `${String(backlog).padStart(7)} backlog (filled in ${fill.toFixed(1)} s)  fresh ${(FRESH / secs).toFixed(1)} msg/s  latency p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  max ${lat.at(-1)!.toFixed(0)} ms${pass}`;
    } finally {
      await stopGracefully(child);
    }
  } finally {
    cleanup();
    await store.drop();
    await dns.stop();
  }
}

async function main(): Promise<void> {
  const sinks = await new CountingSinks().start(['live.bench.test']);
  try {
    console.log(`Spam storm: ${FRESH} fresh messages (4 sessions, 20 ms pause each) to a live MX`);
    console.log(await run(sinks, 0));
    console.log(await run(sinks, BACKLOG));
  } finally {
    await sinks.stop();
  }
}

await main();
