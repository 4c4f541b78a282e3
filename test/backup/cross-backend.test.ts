import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openApp } from '../../src/app.js';
import { forEachBackend } from '../store/backends.js';
import { cli } from '../support/cli.js';
import { startTestServer } from '../support/server.js';
import { tempDir } from '../support/tmp.js';
import { accountView } from './mail-view.js';
import { ALICE, BOB, populate } from './populate.js';

forEachBackend('cross-backend restore', (backend) => {
  if (backend.name !== 'postgres') return;
  for (const direction of ['sqlite to postgres', 'postgres to sqlite'] as const) {
    it(`restores a ${direction} backup with the same view`, async () => {
      const toPg = direction === 'sqlite to postgres';
      const source = await backend.location();
      const server = await startTestServer(
        toPg ? {} : { 'store.url': source.url, 'store.blobs': 'postgres' },
      );
      const dest = tempDir('mailstead-backup-');
      const restored = tempDir('mailstead-restored-');
      try {
        await populate(server.app);
        const expected = [
          await accountView(server.app, ALICE.address),
          await accountView(server.app, BOB.address),
        ];
        assert.equal((await cli(server.dir, 'backup', dest.dir)).code, 0);
        const target = toPg ? (await backend.location()).url : 'sqlite:mailstead.db';
        const r = await cli(restored.dir, 'restore', dest.dir, '--store-url', target);
        assert.equal(r.code, 0, r.err);
        const app = await openApp(restored.dir);
        try {
          assert.equal(app.store.db.dialect, toPg ? 'postgres' : 'sqlite');
          assert.deepEqual(
            [await accountView(app, ALICE.address), await accountView(app, BOB.address)],
            expected,
          );
          assert.equal(
            (await app.directory.authenticate(ALICE.address, ALICE.password, { ip: null, protocol: 'imap' }))
              .address,
            ALICE.address,
          );
          const found = await app.mailbox.messages.search(
            await app.mailbox.actorFor((await app.directory.getAccount(ALICE.address))!.id),
            'INBOX',
            { type: 'text', part: 'body', value: 'body' },
          );
          assert.deepEqual(
            found.uids,
            expected[0]!.folders.INBOX!.messages.map((m) => m.uid),
            'full-text search works on the rebuilt index',
          );
        } finally {
          await app.close();
        }
      } finally {
        await server.close();
        dest.cleanup();
        restored.cleanup();
      }
    });
  }
});
