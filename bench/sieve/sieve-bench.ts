/**
 * What Sieve costs local delivery: deliveries per second through the queue manager into the
 * mailbox store for an account without a script and for one whose 50-rule script (from the rule
 * editor) is evaluated in full for every message (only the last rule matches). The machine is
 * shared, so load drifts between rounds: rounds go in ABBA order, each with-script round is
 * compared with its neighbouring no-script round (the paired ratio), and the process's CPU time
 * per delivery is reported beside wall-clock throughput, as it is far less disturbed by other
 * processes waiting for the same cores.
 * Not a test: `npm run build && flock /tmp/mailstead-bench.lock node dist/bench/sieve/sieve-bench.js [COUNT] [ROUNDS] [RULES]`.
 */
import { openApp, type App } from '../../src/app.js';
import { initDataDir } from '../../src/cli/init.js';
import { newId } from '../../src/core/ids.js';
import { tempDir } from '../../test/support/tmp.js';
import { benchRules } from './bench-rules.js';

const COUNT = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 6);
const RULES = Number(process.argv[4] ?? 50);

interface Round {
  perSecond: number;
  /** Process CPU time (all threads) per delivery, µs. */
  cpuUs: number;
}

async function round(app: App, account: { id: number; address: string }, folder: string): Promise<Round> {
  const actor = await app.mailbox.actorFor(account.id);
  const before = (await app.mailbox.folders.status(actor, folder)).messages;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      const body = `From: sender@example.org\r\nTo: ${account.address}\r\nSubject: The weekly report ${i}\r\nMessage-ID: <${newId()}@example.org>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\n\r\n${'Report line.\r\n'.repeat(100)}`;
      const blob = await app.store.blobs.put(Buffer.from(body));
      await app.queue.enqueue({
        queueId: newId(),
        sender: 'sender@example.org',
        recipients: [{ address: account.address, kind: 'local' }],
        blob,
        trace: '',
        messageId: null,
        subject: null,
        clientIp: null,
        clientName: null,
        helo: null,
        authUser: null,
        source: 'smtp',
      });
    }),
  );
  const deadline = Date.now() + 600_000;
  while ((await app.mailbox.folders.status(actor, folder)).messages < before + COUNT) {
    if (Date.now() > deadline) throw new Error(`${account.address} ${folder}: deliveries stalled`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: COUNT / seconds, cpuUs: (used.user + used.system) / COUNT };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { dir, cleanup } = tempDir('mailstead-bench-sieve-');
try {
  await initDataDir(dir, { hostname: 'mail.example.test' });
  const app = await openApp(dir);
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const plain = await app.directory.addAccount({
    address: 'plain@example.test',
    password: 'pw-plain-123456',
  });
  const filtered = await app.directory.addAccount({
    address: 'filtered@example.test',
    password: 'pw-filtered-123456',
  });
  await app.mailbox.folders.create(await app.mailbox.actorFor(filtered.id), 'Reports');
  for (const rule of benchRules(RULES)) await app.sieve.editRules(filtered.id, { op: 'add', rule });
  app.queue.start();
  await round(app, plain, 'INBOX');
  await round(app, filtered, 'Reports');
  const none: Round[] = [];
  const rules: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // ABBA: a drift in load or store size within a pair hits both sides alike.
    if (r % 2 === 0) {
      none.push(await round(app, plain, 'INBOX'));
      rules.push(await round(app, filtered, 'Reports'));
    } else {
      rules.push(await round(app, filtered, 'Reports'));
      none.push(await round(app, plain, 'INBOX'));
    }
  }
  const raw = Buffer.from(
    `From: sender@example.org\r\nTo: ${filtered.address}\r\nSubject: The weekly report\r\n\r\nbody\r\n`,
  );
  const runs = 2000;
  const t = performance.now();
  for (let i = 0; i < runs; i++) {
    await app.sieve.runForDelivery({
      account: filtered,
      envelope: { from: 'sender@example.org', to: filtered.address },
      readMessage: async () => raw,
      folderNames: async () => [],
    });
  }
  const perRun = (performance.now() - t) / runs;
  const throughput = none.map((n, i) => rules[i]!.perSecond / n.perSecond);
  const cpu = none.map((n, i) => rules[i]!.cpuUs / n.cpuUs);
  const list = (xs: number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(' ');
  console.log(`${COUNT} deliveries per round, ${ROUNDS} rounds of each, ABBA order; medians:`);
  console.log(
    `  deliveries/s   no script ${median(none.map((r) => r.perSecond)).toFixed(0)} (${list(none.map((r) => r.perSecond))})`,
  );
  console.log(
    `                 ${RULES}-rule script ${median(rules.map((r) => r.perSecond)).toFixed(0)} (${list(rules.map((r) => r.perSecond))})`,
  );
  console.log(
    `  paired ratio with/without: ${median(throughput).toFixed(3)} (${list(throughput, 3)}), cost ${((1 - median(throughput)) * 100).toFixed(1)} % (goal: at most 10 %)`,
  );
  console.log(
    `  CPU µs per delivery   no script ${median(none.map((r) => r.cpuUs)).toFixed(0)}, ${RULES}-rule script ${median(rules.map((r) => r.cpuUs)).toFixed(0)}; paired ratio ${median(cpu).toFixed(3)} (${list(cpu, 3)})`,
  );
  console.log(
    `runForDelivery with the ${RULES}-rule script (store lookups + run): ${(perRun * 1000).toFixed(0)} µs per message`,
  );
  await app.close();
} finally {
  cleanup();
}
