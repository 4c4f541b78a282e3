import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { fillDovecot, fixtureMessages, startDovecot, type FixtureMessage } from './dovecot.js';

/** What the account holds, in the fixture's terms, ordered by folder then UID. */
export async function importedView(app: App, address: string): Promise<FixtureMessage[]> {
  const account = (await app.directory.getAccount(address))!;
  const actor = await app.mailbox.actorFor(account.id);
  const out: FixtureMessage[] = [];
  for (const f of (await app.mailbox.folders.list(actor)).sort((a, b) => a.name.localeCompare(b.name))) {
    const status = await app.mailbox.folders.status(actor, f.name);
    if (!status.messages) continue;
    for (const m of await app.mailbox.messages.fetch(actor, f.name, [[1, 0xffffffff]])) {
      const raw = (await app.mailbox.messages.read(actor, f.name, m.uid)).toString('latin1');
      out.push({ folder: f.name, raw, flags: [...m.flags].sort(), internalDate: new Date(m.internalDate) });
    }
  }
  return out;
}

export const expectedView = (messages: FixtureMessage[]) =>
  [...messages].sort((a, b) => a.folder.localeCompare(b.folder) || a.internalDate.getTime() - b.internalDate.getTime()).map((m) => ({ ...m, flags: [...m.flags].sort() }));

let accounts = 0;
export async function newAccount(server: TestServer): Promise<string> {
  const address = `user${++accounts}@example.test`;
  await server.app.directory.addAccount({ address, password: 'import-test-pw-1' });
  return address;
}

const messages = fixtureMessages();
const byFolderThenDate = expectedView(messages);

describe('import of files written by Dovecot', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  for (const [layout, location, args] of [
    ['Maildir++ (dovecot, courier)', 'maildir:~/Maildir', (home: string) => ['maildir', join(home, 'Maildir')]],
    ['Maildir LAYOUT=fs (dovecot)', 'maildir:~/Maildir:LAYOUT=fs', (home: string) => ['maildir', join(home, 'Maildir'), '--layout', 'dovecot']],
  ] as const) {
    it(`imports ${layout}: folders, flags, internal dates, bytes; twice imports nothing twice`, async () => {
      const dovecot = await startDovecot(location);
      try {
        await fillDovecot(dovecot, 'alice', messages);
        const user = await newAccount(server);
        const dry = await cli(server.dir, 'import', ...args(dovecot.home('alice')), '--user', user, '--dry-run', '--json');
        assert.equal(dry.code, 0, dry.err);
        assert.equal(JSON.parse(dry.out).imported, 10);
        assert.deepEqual(await importedView(server.app, user), []);
        const first = await cli(server.dir, 'import', ...args(dovecot.home('alice')), '--user', user, '--json');
        assert.equal(first.code, 0, first.err);
        assert.equal(JSON.parse(first.out).imported, 10);
        // Dovecot keeps the internal date as the file's mtime.
        assert.deepEqual(await importedView(server.app, user), byFolderThenDate);
        const second = await cli(server.dir, 'import', ...args(dovecot.home('alice')), '--user', user, '--json');
        assert.deepEqual([JSON.parse(second.out).imported, JSON.parse(second.out).skipped], [0, 10]);
        assert.equal((await importedView(server.app, user)).length, 10);
      } finally {
        dovecot.stop();
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
      const p = await cli(server.dir, 'import', 'mbox', join(mail, 'Projects'), '--folder', 'Archive/Projects', '--user', user, '--json');
      assert.equal(p.code, 0, p.err);
      assert.deepEqual(await importedView(server.app, user), expectedView(flat.map((m) => ({ ...m, folder: m.folder.replace('Projects', 'Archive/Projects') }))));
      const again = await cli(server.dir, 'import', 'mbox', join(mail, 'inbox'), '--user', user, '--json');
      assert.deepEqual([JSON.parse(again.out).imported, JSON.parse(again.out).skipped], [0, 4]);
    } finally {
      dovecot.stop();
    }
  });
});
