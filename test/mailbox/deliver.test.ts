import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LimitError, NotFoundError } from '../../src/core/errors.js';
import type { Config } from '../../src/config/config.js';
import { storedStructure } from '../../src/imap/stored-structure.js';
import { MailboxService } from '../../src/mailbox/mailbox-service.js';
import { bodyParser } from '../../src/mailbox/message-writer.js';
import type { BlobStore } from '../../src/store/blobs/blob-store.js';
import type { SqlDb } from '../../src/store/sql.js';
import { openFullTextFile, resetIndex } from '../../src/store/sqlite/full-text-file.js';
import { sqliteFullText } from '../../src/store/sqlite/sqlite-db.js';
import { forEachBackend } from '../store/backends.js';
import { mailboxFixture, message } from './fixture.js';

forEachBackend('mailbox deliver', (backend) => {
  it('stores prefix + blob, and reads back exactly those bytes', async () => {
    const f = await mailboxFixture(backend);
    const text = message('first');
    const uid = await f.deliver(f.alice, text, { prefix: 'Return-Path: <s@example.org>\r\n' });
    assert.equal(uid, 1);
    const bytes = await f.mailbox.messages.read(f.alice, 'INBOX', uid);
    assert.equal(bytes.toString(), 'Return-Path: <s@example.org>\r\n' + text);
    const [meta] = await f.mailbox.messages.fetch(f.alice, 'INBOX', [[1, 1]], { structure: true });
    assert.equal(meta!.size, bytes.length);
    assert.equal(meta!.prefixLength, 'Return-Path: <s@example.org>\r\n'.length);
    const body = meta!.bodyStructure as { bodyStart: number; end: number; headerStart: number };
    assert.equal(body.headerStart, 0);
    assert.equal(bytes.subarray(body.bodyStart, body.end).toString(), 'Hello there.\r\n');
    assert.equal((meta!.envelope as { subject: string }).subject, 'first');
    const part = await f.mailbox.messages.read(f.alice, 'INBOX', uid, { start: 5, end: 40 });
    assert.deepEqual(part, bytes.subarray(5, 40));
  });

  it('streams the message or any range of it in chunks, across the prefix and the blob', async () => {
    const f = await mailboxFixture(backend);
    const prefix = 'Return-Path: <s@example.org>\r\n';
    const uid = await f.deliver(f.alice, message('ranges', 'x'.repeat(5000)), { prefix });
    const bytes = await f.mailbox.messages.read(f.alice, 'INBOX', uid);
    const read = async (range: { start: number; end: number } | undefined, chunkSize: number) => {
      const { size, chunks } = await f.mailbox.messages.open(f.alice, 'INBOX', uid, range, chunkSize);
      const got: Buffer[] = [];
      for await (const c of chunks) {
        // The prefix, already in memory from the database, comes in one piece.
        assert.ok(c.length <= Math.max(chunkSize, prefix.length), `chunk of ${c.length}`);
        got.push(c);
      }
      assert.equal(size, Buffer.concat(got).length);
      return Buffer.concat(got);
    };
    const n = bytes.length;
    for (const [start, end] of [
      [0, n],
      [0, 10],
      [5, prefix.length],
      [prefix.length - 3, prefix.length + 3],
      [prefix.length, n],
      [1234, 4321],
      [n - 1, n + 50],
      [n + 5, n + 10],
      [40, 30],
    ] as const)
      for (const chunkSize of [7, 1000, 256 * 1024])
        assert.deepEqual(
          await read({ start, end }, chunkSize),
          bytes.subarray(start, Math.max(start, end)),
          `${start}-${end} by ${chunkSize}`,
        );
    assert.deepEqual(await read(undefined, 999), bytes);
  });

  it('is idempotent by dedupe key: the second deliver stores nothing and returns the first result', async () => {
    const f = await mailboxFixture(backend);
    const text = message('dup');
    const a = await f.deliver(f.alice, text, { key: 'same' });
    const b = await f.deliver(f.alice, text, { key: 'same' });
    assert.equal(a, b);
    assert.equal((await f.mailbox.folders.status(f.alice, 'INBOX')).messages, 1);
    assert.equal((await f.mailbox.quotaStatus(f.alice.accountId)).usedMessages, 1);
  });

  it('stores a message to many recipients once in the blob store, one reference each', async () => {
    const f = await mailboxFixture(backend);
    const text = message('to all');
    for (const who of [f.alice, f.bob, f.carol]) await f.deliver(who, text);
    const db = (f.mailbox as unknown as { ctx: { db: import('../../src/store/sql.js').SqlDb } }).ctx.db;
    const rows = await db.all<{ refs: number }>('SELECT refs FROM blobs');
    assert.deepEqual(
      rows.map((r) => Number(r.refs)),
      [3],
    );
    assert.equal(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM mailbox_bodies'))!.n), 1);
  });

  it('stores concurrent deliveries together; one over quota fails alone, the others are stored', async () => {
    const f = await mailboxFixture(backend);
    // A second service on the same store: another node delivering the first mail of the same accounts.
    const other = new MailboxService({
      db: (f.mailbox as unknown as { ctx: { db: SqlDb } }).ctx.db,
      blobs: (f.mailbox as unknown as { ctx: { blobs: BlobStore } }).ctx.blobs,
      config: (f.mailbox as unknown as { ctx: { config: Config } }).ctx.config,
    });
    await f.directory.updateAccount(f.carol.address, { quotaMessages: 0 });
    const blobs = (f.mailbox as unknown as { ctx: { blobs: BlobStore } }).ctx.blobs;
    const blob = await blobs.put(Buffer.from(message('together')));
    const results = await Promise.allSettled(
      [f.alice, f.bob, f.carol, f.alice, f.bob].map((who, i) =>
        (i % 2 ? other : f.mailbox).deliver({
          accountId: who.accountId,
          blob,
          prefix: Buffer.from(`Delivered-To: ${who.address}\r\n`),
          dedupeKey: `together-${i}`,
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.ok((results[2] as PromiseRejectedResult).reason instanceof LimitError);
    for (const who of [f.alice, f.bob])
      assert.equal((await f.mailbox.folders.status(who, 'INBOX')).messages, 2);
    assert.equal((await f.mailbox.folders.status(f.carol, 'INBOX')).messages, 0);
  });

  it('deliverMany stores in the order given (UIDs follow it); a missing folder fails alone, a known key returns its first result', async () => {
    const f = await mailboxFixture(backend);
    const earlier = await f.deliver(f.alice, message('m7'), { key: 'many-7' });
    const subjects = Array.from({ length: 150 }, (_, i) => `m${i}`);
    const reqs = await Promise.all(
      subjects.map(async (subject, i) => ({
        accountId: f.alice.accountId,
        ...(i === 40 ? { folder: 'Nowhere' } : {}),
        blob: await putBlob(f, message(subject)),
        prefix: Buffer.alloc(0),
        dedupeKey: `many-${i}`,
      })),
    );
    const results = await f.mailbox.deliverMany(reqs);
    assert.ok(results[40] instanceof NotFoundError);
    assert.equal((results[7] as { uid: number }).uid, earlier);
    const stored = results.filter((r, i) => i !== 7 && !(r instanceof Error)) as { uid: number }[];
    assert.equal(stored.length, 148);
    assert.deepEqual(
      stored.map((r) => r.uid),
      stored.map((_, i) => earlier + 1 + i),
    );
    const envelopes = await f.mailbox.messages.fetch(f.alice, 'INBOX', [[earlier + 1, 0xffffffff]], {
      envelope: true,
    });
    assert.deepEqual(
      envelopes.map((m) => (m.envelope as { subject: string }).subject),
      subjects.filter((_, i) => i !== 7 && i !== 40),
    );
    assert.equal((await f.mailbox.folders.status(f.alice, 'INBOX')).messages, 149);
  });

  it('creates the default folders with special use, idempotently', async () => {
    const f = await mailboxFixture(backend);
    const list = await f.mailbox.folders.list(f.alice);
    await f.mailbox.folders.ensureDefaults(f.alice.accountId);
    assert.deepEqual(list.map((x) => [x.name, x.specialUse]).sort(), [
      ['Archive', '\\Archive'],
      ['Drafts', '\\Drafts'],
      ['INBOX', null],
      ['Junk', '\\Junk'],
      ['Sent', '\\Sent'],
      ['Trash', '\\Trash'],
    ]);
    assert.equal((await f.mailbox.folders.list(f.alice)).length, 6);
  });

  it('refuses a missing folder unless asked to create it', async () => {
    const f = await mailboxFixture(backend);
    await assert.rejects(f.deliver(f.alice, message('x'), { folder: 'Lists/node' }), /not found/);
    await f.mailbox.deliver({
      accountId: f.alice.accountId,
      folder: 'Lists/node',
      blob: await putBlob(f, message('y')),
      prefix: Buffer.alloc(0),
      dedupeKey: 'c1',
      createFolder: true,
    });
    assert.equal((await f.mailbox.folders.status(f.alice, 'Lists/node')).messages, 1);
  });

  it('enforces the account quota with LimitError and counts usage', async () => {
    const f = await mailboxFixture(backend);
    await f.directory.updateAccount('alice@example.test', { quotaMessages: 2 });
    await f.deliver(f.alice, message('1'));
    await f.deliver(f.alice, message('2'));
    await assert.rejects(f.deliver(f.alice, message('3')), LimitError);
    const q = await f.mailbox.quotaStatus(f.alice.accountId);
    assert.equal(q.usedMessages, 2);
    assert.equal(q.maxMessages, 2);
    assert.ok(q.usedBytes > 0);
    const acct = await f.directory.getAccount('alice@example.test');
    assert.equal((acct as unknown as { usedBytes?: number }).usedBytes ?? q.usedBytes, q.usedBytes);
  });

  it('enforces a per-folder quota', async () => {
    const f = await mailboxFixture(backend);
    await f.mailbox.folders.create(f.alice, 'Small');
    await f.mailbox.quota.set(f.alice, { folder: 'Small' }, { bytes: 10, messages: null });
    await assert.rejects(f.deliver(f.alice, message('big'), { folder: 'Small' }), LimitError);
    const roots = await f.mailbox.quota.roots(f.alice, 'Small');
    assert.deepEqual(
      roots.map((r) => r.root),
      ['', 'Small'],
    );
  });
});

/** Drops every full-text row: SQLite keeps them in a file of their own, written by a worker. */
async function emptyFullTextIndex(db: SqlDb): Promise<void> {
  const index = sqliteFullText(db);
  if (!index) return void (await db.run('DELETE FROM mailbox_fts'));
  await index.flush();
  const file = openFullTextFile(index.file);
  resetIndex(file);
  file.close();
}

async function putBlob(f: Awaited<ReturnType<typeof mailboxFixture>>, text: string) {
  const ctx = (
    f.mailbox as unknown as { ctx: { blobs: import('../../src/store/blobs/blob-store.js').BlobStore } }
  ).ctx;
  return ctx.blobs.put(Buffer.from(text));
}

forEachBackend('mailbox reconstruct', (backend) => {
  it('recounts sizes, raises UIDNEXT and HIGHESTMODSEQ, reports missing blobs and rebuilds the index', async () => {
    const f = await mailboxFixture(backend);
    await f.deliver(f.alice, message('one', 'findable words'));
    await f.deliver(f.alice, message('two'));
    const ctx = (f.mailbox as unknown as { ctx: { db: import('../../src/store/sql.js').SqlDb } }).ctx;
    await ctx.db.run(
      "UPDATE mailbox_folders SET message_count = 7, size_bytes = 1, uidnext = 1, highestmodseq = 1 WHERE name = 'INBOX'",
    );
    await emptyFullTextIndex(ctx.db);
    const findable = async () =>
      (await f.mailbox.messages.search(f.alice, 'INBOX', { type: 'text', part: 'body', value: 'findable' }))
        .uids;
    assert.deepEqual(await findable(), []);
    const [inbox] = await f.mailbox.reconstruct(f.alice.accountId, 'inbox');
    assert.equal(inbox!.messages, 2);
    assert.equal(inbox!.fixed.length, 3);
    assert.equal(inbox!.reindexed, 2);
    assert.deepEqual(inbox!.missingBlobs, []);
    const st = await f.mailbox.folders.status(f.alice, 'INBOX');
    assert.deepEqual([st.messages, st.uidnext], [2, 3]);
    assert.deepEqual(await findable(), [1]);
    assert.deepEqual((await f.mailbox.reconstruct(f.alice.accountId, 'INBOX'))[0]!.fixed, []);
  });

  it('keeps the ENVELOPE encoded at delivery, and fills it in for bodies stored without it', async () => {
    const f = await mailboxFixture(backend);
    const text = message('encoded');
    await f.deliver(f.alice, text, { prefix: 'Delivered-To: alice@example.test\r\n' });
    const expected = storedStructure(Buffer.from(text)).envelopeWire;
    const wires = () => f.mailbox.messages.envelopeWires(f.alice, 'INBOX', [[1, 1]]);
    assert.equal((await wires())[0]!.wire?.toString('latin1'), expected.toString('latin1'));
    assert.match(expected.toString('latin1'), /^\("Mon, 3 Jun 2024 10:00:00 \+0000" "encoded" /);
    const ctx = (f.mailbox as unknown as { ctx: { db: SqlDb } }).ctx;
    await ctx.db.run(
      'UPDATE mailbox_bodies SET envelope_wire = NULL, envelope = NULL, body_structure = NULL',
    );
    assert.equal((await wires())[0]!.wire, null);
    await f.mailbox.reconstruct(f.alice.accountId, 'INBOX');
    assert.equal((await wires())[0]!.wire?.toString('latin1'), expected.toString('latin1'));
    const [meta] = await f.mailbox.messages.fetch(f.alice, 'INBOX', [[1, 1]], { structure: true });
    assert.ok(meta!.envelope && meta!.bodyStructure, 'parsed forms restored too');
  });

  it('parses new bodies where parseBodiesWith says, and here when that parser fails', async () => {
    const f = await mailboxFixture(backend);
    const here = bodyParser(storedStructure);
    const parsed: string[] = [];
    f.mailbox.parseBodiesWith(async (raw) => {
      const p = await here(raw);
      parsed.push(p.indexed.subject);
      // Marked, so the test sees that this parse is the one stored.
      const bodyText = Buffer.concat([p.indexed.bodyText, Buffer.from(' elsewheremark')]);
      return { ...p, indexed: { ...p.indexed, bodyText } };
    });
    await f.deliver(f.alice, message('elsewhere', 'plain words'));
    assert.deepEqual(parsed, ['elsewhere']);
    const search = (value: string) =>
      f.mailbox.messages.search(f.alice, 'INBOX', { type: 'text', part: 'body', value });
    assert.equal((await search('elsewheremark')).uids.length, 1, 'the other parser’s result is stored');

    f.mailbox.parseBodiesWith(() => Promise.reject(new Error('the SMTP thread has exited')));
    const uid = await f.deliver(f.alice, message('fallback', 'fallback words'));
    assert.equal((await search('fallback')).uids.length, 1, 'parsed here instead');
    const [meta] = await f.mailbox.messages.fetch(f.alice, 'INBOX', [[uid, uid]], { structure: true });
    assert.equal((meta!.envelope as { subject: string }).subject, 'fallback');
  });
});
