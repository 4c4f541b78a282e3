import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openApp, type App } from '../../src/app.js';
import { deleteOrphanBodies } from '../../src/store/mailbox/body-repo.js';
import type { SqlDb } from '../../src/store/sql.js';
import { fullTextFile, openFullTextFile } from '../../src/store/sqlite/full-text-file.js';
import type { FullTextIndex } from '../../src/store/sqlite/full-text-index.js';
import { sqliteFullText } from '../../src/store/sqlite/sqlite-db.js';
import { mailboxFixture, message } from '../mailbox/fixture.js';
import { SmtpWire, queuedId } from '../smtp/smtp-client.js';
import { freePort, killHard, prepareDataDir, spawnServer } from '../queue/server-process.js';
import { tempDir } from '../support/tmp.js';
import { forEachBackend } from './backends.js';

const bodyWord = (i: number) => `zebra${i}quokka`;

function dbOf(f: { mailbox: unknown }): SqlDb {
  return (f.mailbox as { ctx: { db: SqlDb } }).ctx.db;
}

/** A message with subject `key` and body `body`, stored and delivered to the account's INBOX. */
async function deliverText(app: App, accountId: number, key: string, body: string): Promise<void> {
  const blob = await app.store.blobs.put(Buffer.from(message(key, body)));
  await app.mailbox.deliver({ accountId, blob, prefix: Buffer.alloc(0), dedupeKey: key });
}

/** Bodies holding `word` in the index itself (not through messages, which hide stale rows). */
async function indexed(db: SqlDb, word: string): Promise<number> {
  const index = sqliteFullText(db);
  if (index) {
    await index.flush();
    return Number(
      index.query<{ n: number }>('SELECT COUNT(*) AS n FROM fulltext.mailbox_fts WHERE mailbox_fts MATCH ?', [
        word,
      ])[0]!.n,
    );
  }
  const r = await db.get<{ n: number }>(
    "SELECT COUNT(*) AS n FROM mailbox_fts WHERE body @@ to_tsquery('simple', ?)",
    [word],
  );
  return Number(r!.n);
}

forEachBackend('full-text index', (backend) => {
  it('finds every message delivered just before the search', async () => {
    const f = await mailboxFixture(backend);
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        f.deliver(f.alice, message(`m${i}`, `text ${bodyWord(i)} ${'x'.repeat(2000)}`)),
      ),
    );
    for (let i = 0; i < n; i++) {
      const r = await f.mailbox.messages.search(f.alice, 'INBOX', {
        type: 'text',
        part: 'body',
        value: bodyWord(i),
      });
      assert.equal(r.uids.length, 1, `message ${i} found`);
    }
    // A header word through TEXT, right after one more delivery.
    await f.deliver(f.alice, message('late', 'plain', 'X-Tag: wombatheader\r\n'));
    assert.equal(
      (
        await f.mailbox.messages.search(f.alice, 'INBOX', {
          type: 'text',
          part: 'text',
          value: 'wombatheader',
        })
      ).uids.length,
      1,
    );
  });

  it('removes deleted bodies from the index, and indexes a rolled-back delivery nowhere', async () => {
    const f = await mailboxFixture(backend);
    const db = dbOf(f);
    await f.deliver(f.alice, message('gone', `going ${bodyWord(1)}`));
    await f.deliver(f.alice, message('kept', `staying ${bodyWord(2)}`));
    assert.equal(await indexed(db, bodyWord(1)), 1);
    await f.mailbox.messages.storeFlags(f.alice, 'INBOX', [[1, 1]], { op: 'add', flags: ['\\Deleted'] });
    await f.mailbox.messages.expunge(f.alice, 'INBOX');
    assert.equal(await deleteOrphanBodies(db), 1);
    assert.equal(await indexed(db, bodyWord(1)), 0);
    assert.equal(await indexed(db, bodyWord(2)), 1);
    // Over quota: the delivery's transaction rolls back, its text must not reach the index.
    await f.mailbox.quota.set(f.alice, { folder: 'INBOX' }, { bytes: 10, messages: null });
    await assert.rejects(f.deliver(f.alice, message('refused', `never ${bodyWord(3)}`)));
    assert.equal(await indexed(db, bodyWord(3)), 0);
  });
});

/** The SQLite index's internals a test reaches for: its worker, to kill it. */
function workerOf(index: FullTextIndex): Worker {
  return (index as unknown as { worker: Worker }).worker;
}

describe('SQLite full-text index in its own file', () => {
  forEachBackend('worker', (backend) => {
    if (backend.name !== 'sqlite') return;
    it('loses nothing when its worker dies: restarted, then written on the main thread', async () => {
      const f = await mailboxFixture(backend);
      const index = sqliteFullText(dbOf(f))!;
      let next = 0;
      const batch = (k: number) =>
        Array.from({ length: k }, () => {
          const i = next++;
          return f.deliver(f.alice, message(`w${i}`, `${bodyWord(i)} ${'y'.repeat(50_000)}`));
        });
      for (let round = 0; round < 5; round++) {
        // Killed while batches are on their way to it or being written.
        const deliveries = batch(15);
        await deliveries[0];
        const w = workerOf(index);
        if (w) await w.terminate();
        await Promise.all(deliveries);
      }
      for (let i = 0; i < next; i++)
        assert.equal(
          (
            await f.mailbox.messages.search(f.alice, 'INBOX', {
              type: 'text',
              part: 'body',
              value: bodyWord(i),
            })
          ).uids.length,
          1,
          `message ${i} found`,
        );
      // Four deaths within a minute: the main thread writes the index itself from then on.
      assert.equal(workerOf(index), undefined);
      assert.ok((index as unknown as { local?: unknown }).local);
    });
  });

  /** A data dir with account u1@example.test, and its store file. */
  async function dataDir(port: number) {
    const { dir, cleanup } = tempDir();
    await prepareDataDir(dir, port, { 'smtp.max_clients_per_ip': '0', 'queue.run_delay': '1s' });
    const app = await openApp(dir);
    const account = await app.directory.addAccount({ address: 'u1@example.test', password: 'pw-u1-123456' });
    await app.close();
    return { dir, cleanup, accountId: account.id, dbFile: join(dir, 'mailstead.db') };
  }

  async function bodySearch(app: App, accountId: number, word: string): Promise<number[]> {
    const actor = await app.mailbox.actorFor(accountId);
    return (await app.mailbox.messages.search(actor, 'INBOX', { type: 'text', part: 'body', value: word }))
      .uids;
  }

  it('indexes after a restart what a kill -9 left out of the index file', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const { dir, cleanup, accountId, dbFile } = await dataDir(port);
    // The test holds the index's write lock: the server's worker cannot write a single batch.
    const lock = openFullTextFile(fullTextFile(dbFile));
    lock.exec('BEGIN IMMEDIATE');
    const server = await spawnServer(dir);
    try {
      const c = await SmtpWire.open(port);
      await c.reply();
      await c.cmd('EHLO crash.example.org');
      const n = 12;
      for (let i = 0; i < n; i++) {
        assert.match(await c.cmd('MAIL FROM:<s@example.org>'), /^250/);
        assert.match(await c.cmd('RCPT TO:<u1@example.test>'), /^250/);
        assert.match(await c.cmd('DATA'), /^354/);
        assert.ok(queuedId(await c.cmd(`Subject: k${i}\r\n\r\n${bodyWord(i)} ${'z'.repeat(5000)}\r\n.`)));
      }
      c.close();
      const main = new Database(dbFile, { readonly: true });
      const delivered = () =>
        Number((main.prepare('SELECT COUNT(*) AS n FROM mailbox_messages').get() as { n: number }).n);
      for (let t = 0; delivered() < n && t < 600; t++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(delivered(), n);
      await killHard(server);
      const queued = Number(
        (main.prepare('SELECT COUNT(*) AS n FROM mailbox_fts_queue').get() as { n: number }).n,
      );
      main.close();
      lock.exec('ROLLBACK');
      const applied = lock.prepare("SELECT value FROM fulltext_state WHERE name = 'applied_seq'").get() as {
        value: number;
      };
      assert.equal(applied.value, 0, 'the index file is behind the store');
      assert.ok(queued >= n, `queue rows left for the next start (${queued})`);

      const app = await openApp(dir);
      try {
        for (let i = 0; i < n; i++) assert.deepEqual(await bodySearch(app, accountId, bodyWord(i)), [i + 1]);
      } finally {
        await app.close();
      }
      const after = new Database(dbFile, { readonly: true });
      assert.equal(
        (after.prepare('SELECT COUNT(*) AS n FROM mailbox_fts_queue').get() as { n: number }).n,
        0,
      );
      after.close();
    } finally {
      lock.close();
      if (server.exitCode === null && server.signalCode === null) await killHard(server);
      cleanup();
    }
  });

  it('upgrades a store with the old in-database table: dropped, and the new file filled from the blobs', async () => {
    const { dir, cleanup, accountId, dbFile } = await dataDir(await freePort());
    try {
      const app = await openApp(dir);
      for (let i = 0; i < 5; i++) await deliverText(app, accountId, `u${i}`, `old ${bodyWord(i)}`);
      await app.close();
      // What a store of mailbox version 3 looked like: the index inside, no queue, no file.
      const raw = new Database(dbFile);
      raw.exec(`DROP TABLE mailbox_fts_queue;
        CREATE VIRTUAL TABLE mailbox_fts USING fts5(headers, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
        INSERT INTO mailbox_fts (rowid, headers, body) VALUES (1, 'subject: stale', 'stale');
        UPDATE schema_versions SET version = 3 WHERE component = 'mailbox';`);
      raw.close();
      for (const s of ['', '-wal', '-shm']) rmSync(fullTextFile(dbFile) + s, { force: true });

      const upgraded = await openApp(dir);
      try {
        assert.equal(upgraded.store.upgrade.ok, true, upgraded.store.upgrade.message);
        for (let i = 0; i < 5; i++)
          assert.deepEqual(await bodySearch(upgraded, accountId, bodyWord(i)), [i + 1]);
        assert.deepEqual(await bodySearch(upgraded, accountId, 'stale'), []);
        const db = upgraded.store.db;
        assert.equal(
          await db.get(
            "SELECT name FROM sqlite_master WHERE name LIKE 'mailbox_fts%' AND name <> 'mailbox_fts_queue'",
          ),
          undefined,
        );
      } finally {
        await upgraded.close();
      }
      assert.ok(existsSync(fullTextFile(dbFile)));
    } finally {
      cleanup();
    }
  });

  it('rebuilds an index that is ahead of its store (an older store file put back)', async () => {
    const { dir, cleanup, accountId, dbFile } = await dataDir(await freePort());
    try {
      const app = await openApp(dir);
      await deliverText(app, accountId, 'a1', `ahead ${bodyWord(1)}`);
      await sqliteFullText(app.store.db)!.flush();
      const older = join(dir, 'older.db');
      await app.store.db.exec(`VACUUM INTO '${older}'`);
      // The body leaves the store and the index after the copy was taken.
      const actor = await app.mailbox.actorFor(accountId);
      await app.mailbox.messages.storeFlags(actor, 'INBOX', [[1, 1]], { op: 'add', flags: ['\\Deleted'] });
      await app.mailbox.messages.expunge(actor, 'INBOX');
      assert.equal(await deleteOrphanBodies(app.store.db), 1);
      assert.equal(await indexed(app.store.db, bodyWord(1)), 0);
      await app.close();
      for (const s of ['-wal', '-shm']) rmSync(dbFile + s, { force: true });
      renameSync(older, dbFile);

      const back = await openApp(dir);
      try {
        assert.deepEqual(await bodySearch(back, accountId, bodyWord(1)), [1]);
      } finally {
        await back.close();
      }
    } finally {
      cleanup();
    }
  });

  it('rebuilds a deleted index file from the blobs at the next start', async () => {
    const { dir, cleanup, accountId, dbFile } = await dataDir(await freePort());
    try {
      const app = await openApp(dir);
      for (let i = 0; i < 3; i++) await deliverText(app, accountId, `d${i}`, `lost ${bodyWord(i)}`);
      await app.close();
      for (const s of ['', '-wal', '-shm']) rmSync(fullTextFile(dbFile) + s, { force: true });
      const again = await openApp(dir);
      try {
        for (let i = 0; i < 3; i++)
          assert.deepEqual(await bodySearch(again, accountId, bodyWord(i)), [i + 1]);
      } finally {
        await again.close();
      }
    } finally {
      cleanup();
    }
  });
});
