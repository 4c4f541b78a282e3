import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openApp } from '../../src/app.js';
import { openDatabase } from '../../src/store/store.js';
import { testStore } from '../support/server.js';
import { tempDir } from '../support/tmp.js';
import { SmtpWire, queuedId } from '../smtp/smtp-client.js';
import { freePort, killHard, prepareDataDir, spawnServer, stopGracefully } from './server-process.js';

// PostgreSQL takes a smaller share of the suite's time: the same invariant, fewer messages.
const TOTALS = {
  sqlite: Number(process.env.CRASH_MESSAGES ?? 2000),
  postgres: Number(process.env.CRASH_MESSAGES ?? 600),
};
const SENDERS = 16;

/** Sends messages over one connection until told to stop or the server dies; returns the acknowledged queue ids. */
async function sender(port: number, n: number, from: number, stop: () => boolean): Promise<string[]> {
  const acked: string[] = [];
  let c: SmtpWire;
  try {
    c = await SmtpWire.open(port);
    await c.reply();
    await c.cmd('EHLO crash.example.org');
  } catch {
    return acked;
  }
  for (let i = 0; i < n && !stop(); i++) {
    try {
      if (!(await c.cmd(`MAIL FROM:<s${from}@example.org>`)).startsWith('250')) break;
      if (!(await c.cmd('RCPT TO:<u1@example.test>')).startsWith('250')) break;
      if (!(await c.cmd('DATA')).startsWith('354')) break;
      const reply = await c.cmd(
        `Subject: crash ${from}-${i}\r\nMessage-ID: <${from}.${i}@crash.example.org>\r\n\r\n${'body line\r\n'.repeat(40)}.`,
      );
      const id = queuedId(reply);
      if (!id) break;
      acked.push(id);
    } catch {
      break;
    }
  }
  c.close();
  return acked;
}

// Delivered before the 250 (queue.deliver_at_once, the default for one local recipient), and
// through the queue.
const RUNS = [
  { backend: 'sqlite', atOnce: 'yes' },
  { backend: 'sqlite', atOnce: 'no' },
  { backend: 'postgres', atOnce: 'yes' },
  { backend: 'postgres', atOnce: 'no' },
] as const;

for (const { backend, atOnce } of RUNS)
  test(
    `kill -9 in mid-stream loses no acknowledged message and delivers none twice [${backend}, deliver_at_once ${atOnce}]`,
    { timeout: 600_000 },
    async (t) => {
      const { dir, cleanup } = tempDir();
      const store = await testStore(backend);
      const TOTAL = TOTALS[backend];
      /** A second connection to the server's store, to watch it and to count what it holds. */
      const watch = () =>
        openDatabase({ url: store.settings['store.url'] ?? 'sqlite:mailstead.db', dataDir: dir });
      try {
        const port = await freePort();
        await prepareDataDir(dir, port, {
          'smtp.max_clients_per_ip': '0',
          // A delivery deferred by a transient store error is retried within the test, not in 5 minutes.
          'queue.minimal_backoff_time': '1s',
          'queue.run_delay': '1s',
          'queue.deliver_at_once': atOnce,
          ...store.settings,
        });
        const setup = await openApp(dir);
        const account = await setup.directory.addAccount({
          address: 'u1@example.test',
          password: 'pw-u1-123456',
        });
        await setup.close();

        let server = await spawnServer(dir);
        let stopped = false;
        const acked: string[] = [];
        const perSender = Math.ceil(TOTAL / SENDERS);
        const runs = Array.from({ length: SENDERS }, (_, k) =>
          sender(port, perSender, k, () => stopped).then((ids) => acked.push(...ids)),
        );
        // Kill while sessions are mid-transaction and deliveries are running.
        const killAfter = Math.floor(TOTAL * 0.4);
        const watcher = (async () => {
          const db = await watch();
          try {
            for (;;) {
              const r = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM queue_messages');
              const d = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM mailbox_deliveries');
              if (Number(r?.n ?? 0) + Number(d?.n ?? 0) >= killAfter) break;
              await new Promise((res) => setTimeout(res, 20));
            }
          } finally {
            await db.close();
          }
          await killHard(server);
          stopped = true;
        })();
        await watcher;
        await Promise.all(runs);
        const ackedBeforeCrash = acked.length;
        assert.ok(ackedBeforeCrash > 0, 'some messages were acknowledged before the crash');

        // Restart and send the rest, then let the queue drain.
        server = await spawnServer(dir);
        stopped = false;
        const more = await Promise.all(
          Array.from({ length: SENDERS }, (_, k) =>
            sender(port, Math.ceil((TOTAL - ackedBeforeCrash) / SENDERS), 100 + k, () => false),
          ),
        );
        for (const ids of more) acked.push(...ids);

        const db = await watch();
        try {
          const deadline = Date.now() + 300_000;
          for (;;) {
            const open = await db.get<{ n: number }>(
              `SELECT COUNT(*) AS n FROM queue_recipients WHERE state NOT IN ('delivered', 'bounced')`,
            );
            if (Number(open?.n) === 0) break;
            assert.ok(Date.now() < deadline, `queue not drained: ${open?.n} recipients left`);
            await new Promise((res) => setTimeout(res, 100));
          }
          const rows = await db.all<{ prefix: Buffer }>(
            'SELECT m.prefix FROM mailbox_messages m JOIN mailbox_folders f ON f.id = m.folder_id WHERE f.owner_id = ?',
            [account.id],
          );
          const seen = new Map<string, number>();
          for (const r of rows) {
            const id = / id ([0-9A-Z]+)/.exec(Buffer.from(r.prefix).toString('latin1'))?.[1];
            assert.ok(id, 'every stored message carries its queue id in the Received header');
            seen.set(id, (seen.get(id) ?? 0) + 1);
          }
          const missing = acked.filter((id) => !seen.has(id));
          const doubled = [...seen].filter(([, n]) => n > 1);
          assert.deepEqual(missing, [], `${missing.length} acknowledged messages were lost`);
          assert.deepEqual(doubled, [], `${doubled.length} messages were delivered more than once`);
          t.diagnostic(
            `acknowledged ${ackedBeforeCrash} before kill -9, ${acked.length} in all; ${rows.length} stored, none twice`,
          );
          assert.ok(acked.length >= TOTAL * 0.9, `most messages acknowledged (${acked.length}/${TOTAL})`);
        } finally {
          await db.close();
          await stopGracefully(server);
        }
      } finally {
        await store.drop();
        cleanup();
      }
    },
  );
