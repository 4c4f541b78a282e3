import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { fillDovecot, fixtureMessages, namedFolderMessages, startDovecot } from './dovecot.js';
import { expectedView, importedView, newAccount } from './view.js';

const messages = fixtureMessages();
const byFolderThenDate = expectedView(messages);

describe('import of files written by Dovecot', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  for (const [layout, location, args] of [
    [
      'Maildir++ (dovecot, courier)',
      'maildir:~/Maildir',
      (home: string) => ['maildir', join(home, 'Maildir')],
    ],
    [
      'Maildir LAYOUT=fs (dovecot)',
      'maildir:~/Maildir:LAYOUT=fs',
      (home: string) => ['maildir', join(home, 'Maildir'), '--layout', 'dovecot'],
    ],
  ] as const) {
    it(`imports ${layout}: folders, flags, internal dates, bytes; twice imports nothing twice`, async () => {
      const dovecot = await startDovecot(location);
      try {
        await fillDovecot(dovecot, 'alice', messages);
        const user = await newAccount(server);
        const dry = await cli(
          server.dir,
          'import',
          ...args(dovecot.home('alice')),
          '--user',
          user,
          '--dry-run',
          '--json',
        );
        assert.equal(dry.code, 0, dry.err);
        assert.equal(JSON.parse(dry.out).imported, 10);
        assert.deepEqual(await importedView(server.app, user), []);
        const first = await cli(
          server.dir,
          'import',
          ...args(dovecot.home('alice')),
          '--user',
          user,
          '--json',
        );
        assert.equal(first.code, 0, first.err);
        assert.equal(JSON.parse(first.out).imported, 10);
        // Dovecot keeps the internal date as the file's mtime.
        assert.deepEqual(await importedView(server.app, user), byFolderThenDate);
        const second = await cli(
          server.dir,
          'import',
          ...args(dovecot.home('alice')),
          '--user',
          user,
          '--json',
        );
        assert.deepEqual([JSON.parse(second.out).imported, JSON.parse(second.out).skipped], [0, 10]);
        assert.equal((await importedView(server.app, user)).length, 10);
      } finally {
        await dovecot.stop();
      }
    });
  }

  it('imports mbox files: flags from Status/X-Status/X-Keywords, dates from the From lines, unquoted From lines in bodies kept (Content-Length)', async () => {
    const dovecot = await startDovecot('mbox:~/mail:INBOX=~/mail/inbox');
    // An mbox folder is a file, so it cannot have children: Work/Projects becomes Projects.
    const flat = messages.map((m) => ({ ...m, folder: m.folder.replace('Work/', '') }));
    try {
      await fillDovecot(dovecot, 'alice', flat);
      const user = await newAccount(server);
      const mail = join(dovecot.home('alice'), 'mail');
      const r = await cli(server.dir, 'import', 'mbox', join(mail, 'inbox'), '--user', user, '--json');
      assert.equal(r.code, 0, r.err);
      const w = await cli(server.dir, 'import', 'mbox', join(mail, 'Work'), '--user', user, '--json');
      assert.equal(w.code, 0, w.err);
      const p = await cli(
        server.dir,
        'import',
        'mbox',
        join(mail, 'Projects'),
        '--folder',
        'Archive/Projects',
        '--user',
        user,
        '--json',
      );
      assert.equal(p.code, 0, p.err);
      assert.deepEqual(
        await importedView(server.app, user),
        expectedView(flat.map((m) => ({ ...m, folder: m.folder.replace('Projects', 'Archive/Projects') }))),
      );
      const again = await cli(server.dir, 'import', 'mbox', join(mail, 'inbox'), '--user', user, '--json');
      assert.deepEqual([JSON.parse(again.out).imported, JSON.parse(again.out).skipped], [0, 4]);
    } finally {
      await dovecot.stop();
    }
  });
});

describe('import of a spool written by Cyrus', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('reads flags, keywords and internal dates from cyrus.index, leaves out an expunged message whose file remains; twice imports nothing twice', async () => {
    // Written by Cyrus 3.6.1 (Debian's cyrus-imapd) from the same fixture: see make-cyrus-spool.ts.
    const spool = 'test/import/testdata/cyrus-3.6.1-alice';
    assert.match(
      readFileSync(join(spool, 'Work', '4.'), 'latin1'),
      /^Subject: expunged/,
      'delayed expunge kept the file',
    );
    const user = await newAccount(server);
    const args = ['import', 'maildir', spool, '--layout', 'cyrus', '--user', user, '--json'];
    const first = await cli(server.dir, ...args);
    assert.equal(first.code, 0, first.err);
    assert.equal(JSON.parse(first.out).imported, messages.length);
    assert.deepEqual(await importedView(server.app, user), byFolderThenDate);
    const second = await cli(server.dir, ...args);
    assert.deepEqual([JSON.parse(second.out).imported, JSON.parse(second.out).skipped], [0, messages.length]);
  });

  it("finds a user's folders in a partition of Cyrus 3's default layout (folders by mailbox id) by their cyrus.header names, encoded names decoded, another user's mail left alone", async () => {
    // Written by Cyrus 3.6.1 with mailbox_legacy_dirs off (its default): see make-cyrus-spool.ts.
    const spool = 'test/import/testdata/cyrus-3.6.1-uuid';
    const all = [...messages, ...namedFolderMessages()];
    const user = await newAccount(server);
    const args = ['import', 'maildir', spool, '--layout', 'cyrus', '--user', user, '--json'];
    const unnamed = await cli(server.dir, ...args);
    assert.notEqual(unnamed.code, 0);
    assert.match(unnamed.err, /Cyrus partition .*--cyrus-user/);
    const stranger = await cli(server.dir, ...args, '--cyrus-user', 'carol');
    assert.notEqual(stranger.code, 0);
    assert.match(stranger.err, /no folder of Cyrus user carol \(no cyrus\.header naming user\.carol\)/);

    const first = await cli(server.dir, ...args, '--cyrus-user', 'alice');
    assert.equal(first.code, 0, first.err);
    assert.equal(JSON.parse(first.out).imported, all.length);
    assert.deepEqual(await importedView(server.app, user), expectedView(all));
    const second = await cli(server.dir, ...args, '--cyrus-user', 'alice');
    assert.deepEqual([JSON.parse(second.out).imported, JSON.parse(second.out).skipped], [0, all.length]);

    const bob = await newAccount(server);
    const other = await cli(server.dir, ...args.slice(0, -3), '--user', bob, '--json', '--cyrus-user', 'bob');
    assert.equal(other.code, 0, other.err);
    assert.deepEqual(
      (await importedView(server.app, bob)).map((m) => [m.folder, m.raw]),
      [['INBOX', "Subject: for bob\r\n\r\nnot alice's\r\n"]],
    );
  });
});
