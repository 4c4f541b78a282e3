import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { Config } from '../../src/config/config.js';
import { runBackup } from '../../src/ops/backup/backup.js';
import { backupsDir, listBackups, pooledBlobPath, readManifest } from '../../src/ops/backup/manifest.js';
import { pruneBackups } from '../../src/ops/backup/prune.js';
import { cli } from '../support/cli.js';
import { startTestServer } from '../support/server.js';
import { tempDir } from '../support/tmp.js';
import { ALICE, msg, populate } from './populate.js';

it('backup prune removes old manifests and only the bodies no remaining backup lists, then the rest restores', async () => {
  const server = await startTestServer();
  const dest = tempDir('mailstead-prune-');
  const restored = tempDir('mailstead-pruned-restore-');
  try {
    const { app } = server;
    await populate(app);
    const alice = (await app.directory.getAccount(ALICE.address))!;
    const actor = await app.mailbox.actorFor(alice.id);
    for (let i = 0; i < 5; i++)
      await app.mailbox.messages.append(actor, 'Live', { data: msg(100 + i, 'Live') });
    const backup = async () => {
      const r = await cli(server.dir, 'backup', dest.dir, '--json');
      assert.equal(r.code, 0, r.err);
      return readManifest(JSON.parse(r.out).backup);
    };
    const m1 = await backup();
    // Only the first backup has the Live folder's bodies.
    await app.mailbox.folders.delete(actor, 'Live');
    await app.mailbox.messages.append(actor, 'INBOX', { data: msg(200, 'INBOX') });
    const m2 = await backup();
    await app.mailbox.messages.append(actor, 'INBOX', { data: msg(201, 'INBOX') });
    const m3 = await backup();
    assert.deepEqual(listBackups(dest.dir), [m1.id, m2.id, m3.id]);
    const onlyInFirst = m1.blobs.filter((b) => !m2.blobs.some((c) => c.hash === b.hash));
    assert.equal(onlyInFirst.length, 5);
    // An interrupted run: a directory without a manifest, and a body it copied.
    mkdirSync(join(backupsDir(dest.dir), '1999-01-01T00-00-00-000Z', 'tables'), { recursive: true });
    const stray = pooledBlobPath(dest.dir, 'ff'.repeat(32));
    mkdirSync(join(stray, '..'), { recursive: true });
    writeFileSync(stray, 'partial');

    const dry = await cli(server.dir, 'backup', 'prune', dest.dir, '--keep', '2', '--dry-run', '--json');
    assert.equal(dry.code, 0, dry.err);
    const planned = JSON.parse(dry.out);
    assert.deepEqual(planned.removed, [m1.id]);
    assert.equal(planned.removedBlobs, 6);
    assert.ok(existsSync(join(backupsDir(dest.dir), m1.id)), 'a dry run removes nothing');

    const run = await cli(server.dir, 'backup', 'prune', dest.dir, '--keep', '2');
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, new RegExp(`removed backup ${m1.id}`));
    assert.match(run.out, /removed 1 backups and 1 incomplete ones \(.*\), 6 message bodies \(/);
    assert.deepEqual(readdirSync(backupsDir(dest.dir)).sort(), [m2.id, m3.id]);
    for (const b of onlyInFirst) assert.ok(!existsSync(pooledBlobPath(dest.dir, b.hash)), b.hash);
    assert.ok(!existsSync(stray));
    for (const b of [...m2.blobs, ...m3.blobs])
      assert.ok(existsSync(pooledBlobPath(dest.dir, b.hash)), `${b.hash} is still needed`);

    // Every body of the oldest remaining backup is still there: it restores.
    const r = await cli(restored.dir, 'restore', join(backupsDir(dest.dir), m2.id));
    assert.equal(r.code, 0, r.err);

    // --keep-days 0 keeps only the newest (the newest is always kept).
    const byAge = await pruneBackups(dest.dir, { keepDays: 0, now: new Date(Date.now() + 1000) });
    assert.deepEqual(byAge.removed, [m2.id]);
    assert.deepEqual(byAge.kept, [m3.id]);
    assert.equal(byAge.removedBlobs, 0, 'every body of the second backup is in the third too');
    assert.ok(byAge.removedBackupBytes > 0);

    const bad = await cli(server.dir, 'backup', 'prune', dest.dir);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--keep N and\/or --keep-days D/);
  } finally {
    await server.close();
    dest.cleanup();
    restored.cleanup();
  }
});

it('backup prune is refused while a backup into the same destination runs, and works after it', async () => {
  const server = await startTestServer();
  const dest = tempDir('mailstead-prune-lock-');
  try {
    await populate(server.app);
    const src = { config: Config.open(server.dir), db: server.app.store.db, blobs: server.app.store.blobs };
    await runBackup(src, dest.dir);
    // Settled into a value at once: the backup runs on while the prune's refusal waits to be checked.
    let during: Promise<unknown> | undefined;
    await runBackup(src, dest.dir, () => {
      during ??= pruneBackups(dest.dir, { keep: 1 }).then(
        () => new Error('pruned during a backup'),
        (e: unknown) => e,
      );
    });
    assert.match(
      String(await during),
      /is in use: backup \(pid \d+\) is running there; backup prune must wait/,
    );
    assert.equal(listBackups(dest.dir).length, 2, 'nothing was pruned');
    const after = await pruneBackups(dest.dir, { keep: 1 });
    assert.equal(after.removed.length, 1);
  } finally {
    await server.close();
    dest.cleanup();
  }
});
