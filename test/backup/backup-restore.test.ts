import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { Writable } from 'node:stream';
import { ImapFlow } from 'imapflow';
import { startServer, type RunningServer } from '../../src/main.js';
import { readManifest } from '../../src/ops/backup/manifest.js';
import { forEachBackend } from '../store/backends.js';
import { cli } from '../support/cli.js';
import { startTestServer } from '../support/server.js';
import { tempDir } from '../support/tmp.js';
import { accountView } from './mail-view.js';
import { ALICE, BOB, msg, populate } from './populate.js';

const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });

async function serve(dir: string): Promise<RunningServer> {
  return startServer(dir, { out: () => undefined, logDestination: quiet() });
}

async function imapView(port: number, who: { address: string; password: string }) {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    auth: { user: who.address, pass: who.password },
    logger: false,
    tls: { rejectUnauthorized: false },
  });
  await client.connect();
  try {
    const folders = (await client.list()).map((f) => f.path).sort();
    const lock = await client.getMailboxLock('INBOX');
    const inbox: { uid: number; flags: string[]; size: number }[] = [];
    try {
      for await (const m of client.fetch('1:*', { uid: true, flags: true, size: true }))
        inbox.push({ uid: m.uid, flags: [...(m.flags ?? [])].sort(), size: m.size ?? 0 });
    } finally {
      lock.release();
    }
    return { folders, inbox };
  } finally {
    await client.logout();
  }
}

forEachBackend('backup and restore', (backend) => {
  it('brings back folders, UIDs, flags, bytes, ACLs, Sieve scripts, DKIM keys and logins, taken while the server writes', async () => {
    const source = await backend.location();
    const pg = backend.name === 'postgres';
    const server = await startTestServer({
      'auth.allow_plaintext': 'true',
      ...(pg ? { 'store.url': source.url, 'store.blobs': 'postgres' } : {}),
    });
    const dest = tempDir('mailstead-backup-');
    const restored = tempDir('mailstead-restored-');
    const early = tempDir('mailstead-early-');
    let live: RunningServer | undefined;
    try {
      const { app } = server;
      await populate(app);
      const alice = (await app.directory.getAccount(ALICE.address))!;
      const actor = await app.mailbox.actorFor(alice.id);
      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing && written < 500)
          await app.mailbox.messages.append(actor, 'Live', {
            data: msg(written++, 'Live'),
            flags: ['\\Seen'],
          });
      })();
      const first = await cli(server.dir, 'backup', dest.dir, '--json');
      writing = false;
      await writer;
      assert.equal(first.code, 0, first.err);
      await app.mailbox.messages.append(actor, 'Work', {
        data: msg(99, 'Work'),
        flags: ['\\Flagged'],
        internalDate: Date.UTC(2021, 5, 1),
      });
      const expected = {
        alice: await accountView(app, ALICE.address),
        bob: await accountView(app, BOB.address),
      };
      const dkim = (await app.dkim.list()).map((k) => [k.domain, k.selector, k.publicKey]);
      const second = await cli(server.dir, 'backup', dest.dir, '--json');
      assert.equal(second.code, 0, second.err);

      const m1 = readManifest(JSON.parse(first.out).backup);
      const m2 = readManifest(JSON.parse(second.out).backup);
      const before = new Set(m1.blobs.map((b) => b.hash));
      assert.equal(
        m2.newBlobs,
        m2.blobs.filter((b) => !before.has(b.hash)).length,
        'the second backup copies only bodies the first lacks',
      );
      assert.ok(m2.newBlobs >= 1 && m2.newBlobs < m2.blobs.length);
      assert.ok(
        m2.files.some((f) => f.path === 'files/tls/key.pem'),
        'the TLS key is in the backup',
      );
      await server.close();

      const target = pg ? await backend.location() : undefined;
      const r = await cli(restored.dir, 'restore', dest.dir, ...(target ? ['--store-url', target.url] : []));
      assert.equal(r.code, 0, r.err);
      const again = await cli(restored.dir, 'restore', dest.dir);
      assert.notEqual(again.code, 0);
      assert.match(again.err, /--force/);

      live = await serve(restored.dir);
      assert.deepEqual(await accountView(live.app, ALICE.address), expected.alice);
      assert.deepEqual(await accountView(live.app, BOB.address), expected.bob);
      assert.deepEqual(
        (await live.app.dkim.list()).map((k) => [k.domain, k.selector, k.publicKey]),
        dkim,
      );
      await assert.rejects(
        live.app.directory.authenticate(ALICE.address, 'wrong', { ip: null, protocol: 'imap' }),
      );
      const port = Number(
        live.listeners
          .find((l) => l.service === 'imap')!
          .address.split(':')
          .at(-1),
      );
      const seen = await imapView(port, ALICE);
      assert.deepEqual(
        seen.folders,
        [
          'INBOX',
          'Live',
          'Work',
          'Work/Projects',
          ...Object.keys(expected.alice.folders).filter(
            (f) => !['INBOX', 'Live', 'Work', 'Work/Projects'].includes(f),
          ),
        ].sort(),
      );
      assert.deepEqual(
        seen.inbox.map((m) => [m.uid, m.flags.filter((f) => f !== '\\Recent')]),
        expected.alice.folders.INBOX!.messages.map((m) => [m.uid, m.flags]),
      );
      const bobSees = await imapView(port, BOB);
      assert.ok(
        bobSees.folders.some((f) => f.endsWith(`${ALICE.address}/Work`)),
        `bob still sees alice's shared Work: ${bobSees.folders.join(', ')}`,
      );
      await live.stop();
      live = undefined;

      // The first backup was taken mid-write: whatever it caught of Live is whole and in order.
      const earlyTarget = pg ? await backend.location() : undefined;
      const r1 = await cli(
        early.dir,
        'restore',
        JSON.parse(first.out).backup,
        ...(earlyTarget ? ['--store-url', earlyTarget.url] : []),
      );
      assert.equal(r1.code, 0, r1.err);
      live = await serve(early.dir);
      const caught = (await accountView(live.app, ALICE.address)).folders.Live!;
      assert.deepEqual(
        caught.messages,
        expected.alice.folders.Live!.messages.slice(0, caught.messages.length),
      );
      const status = await live.app.mailbox.folders.status(await live.app.mailbox.actorFor(alice.id), 'Live');
      assert.equal(status.messages, caught.messages.length);
    } finally {
      await live?.stop();
      for (const d of [dest, restored, early]) d.cleanup();
    }
  });

  it('refuses a damaged backup', async () => {
    const source = await backend.location();
    const server = await startTestServer(
      backend.name === 'postgres' ? { 'store.url': source.url, 'store.blobs': 'postgres' } : {},
    );
    const dest = tempDir('mailstead-backup-');
    const restored = tempDir('mailstead-restored-');
    try {
      await populate(server.app);
      const b = await cli(server.dir, 'backup', dest.dir, '--json');
      assert.equal(b.code, 0, b.err);
      const m = readManifest(JSON.parse(b.out).backup);
      const table = join(JSON.parse(b.out).backup, m.tables.find((t) => t.table === 'accounts')!.path);
      const bytes = readFileSync(table);
      bytes.writeUInt8(bytes[bytes.length - 5]! ^ 0xff, bytes.length - 5);
      writeFileSync(table, bytes);
      const r = await cli(restored.dir, 'restore', dest.dir);
      assert.notEqual(r.code, 0);
      assert.match(r.err, /damaged: tables\/.*accounts/);
    } finally {
      await server.close();
      dest.cleanup();
      restored.cleanup();
    }
  });
});
