/**
 * What Sieve costs local delivery: deliveries per second through the queue manager into the
 * mailbox store for an account without a script and for one whose 50-rule script (from the rule
 * editor) is evaluated in full for every message (only the last rule matches). Rounds alternate
 * so drift (page cache, WAL growth) hits both alike; the median round is reported.
 * Not a test: `npm run build && node dist/bench/sieve/sieve-bench.js [COUNT] [ROUNDS]`.
 */
import { openApp, type App } from '../../src/app.js';
import { initDataDir } from '../../src/cli/init.js';
import { newId } from '../../src/core/ids.js';
import { tempDir } from '../../test/support/tmp.js';
import { benchRules } from './bench-rules.js';

const COUNT = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);

async function round(app: App, account: { id: number; address: string }, folder: string): Promise<number> {
  const actor = await app.mailbox.actorFor(account.id);
  const before = (await app.mailbox.folders.status(actor, folder)).messages;
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
  return COUNT / ((performance.now() - started) / 1000);
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
  for (const rule of benchRules(50)) await app.sieve.editRules(filtered.id, { op: 'add', rule });
  app.queue.start();
  await round(app, plain, 'INBOX');
  await round(app, filtered, 'Reports');
  const none: number[] = [];
  const rules: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    none.push(await round(app, plain, 'INBOX'));
    rules.push(await round(app, filtered, 'Reports'));
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
  const a = median(none);
  const b = median(rules);
  console.log(`deliveries/s, ${COUNT} messages x ${ROUNDS} rounds (median):`);
  console.log(`  no script      ${a.toFixed(0)}   rounds ${none.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  50-rule script ${b.toFixed(0)}   rounds ${rules.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  cost           ${((1 - b / a) * 100).toFixed(1)} % (goal: at most 10 %)`);
  console.log(
    `runForDelivery with the 50-rule script (store lookups + run): ${(perRun * 1000).toFixed(0)} µs per message`,
  );
  await app.close();
} finally {
  cleanup();
}
