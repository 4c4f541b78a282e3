import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DOVECOT_PASSWORD, fillDovecot, fixtureMessages, startDovecot } from './dovecot.js';
import { expectedView, importedView, newAccount } from './view.js';

const PST = 'node_modules/pst-extractor/example/testdata/enron.pst';

/** The real CLI in a child process: --password-stdin reads the process's standard input. */
function mailstead(dataDir: string, args: string[], input: string) {
  const r = spawnSync(process.execPath, ['bin/mailstead.js', ...args, '--data', dataDir, '--json'], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const importImap = (port: number, login: string, user: string) => [
  'import',
  'imap',
  '--host',
  '127.0.0.1',
  '--port',
  String(port),
  '--login',
  login,
  '--password-stdin',
  '--user',
  user,
];

describe('import from IMAP and PST', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('copies a Dovecot account over IMAP in batches: folders, flags, internal dates, bytes; a re-run fetches nothing', async () => {
    const dovecot = await startDovecot('maildir:~/Maildir');
    try {
      const messages = fixtureMessages();
      await fillDovecot(dovecot, 'alice', messages);
      const user = await newAccount(server);
      const imap = [...importImap(dovecot.port, 'alice', user), '--batch', '3'];
      const dry = mailstead(server.dir, [...imap, '--dry-run'], DOVECOT_PASSWORD + '\n');
      assert.equal(dry.code, 0, dry.err);
      assert.equal(JSON.parse(dry.out).imported, 10);
      const first = mailstead(server.dir, imap, DOVECOT_PASSWORD + '\n');
      assert.equal(first.code, 0, first.err);
      assert.equal(JSON.parse(first.out).imported, 10);
      assert.deepEqual(await importedView(server.app, user), expectedView(messages));
      const second = mailstead(server.dir, imap, DOVECOT_PASSWORD + '\n');
      assert.deepEqual([JSON.parse(second.out).imported, JSON.parse(second.out).skipped], [0, 10]);
      const wrong = mailstead(server.dir, imap, 'not-the-password\n');
      assert.notEqual(wrong.code, 0);
    } finally {
      await dovecot.stop();
    }
  });

  it('files special-use folders of other names (Gesendet, Entwürfe, Spam…) into our Sent, Drafts, Junk, Trash, Archive; the ledger keeps the source names', async () => {
    const uses = {
      Gesendet: '\\Sent',
      Entwürfe: '\\Drafts',
      Spam: '\\Junk',
      Papierkorb: '\\Trash',
      Archiv: '\\Archive',
    };
    const ours: Record<string, string> = {
      Gesendet: 'Sent',
      'Gesendet/2019': 'Sent/2019',
      Entwürfe: 'Drafts',
      Spam: 'Junk',
      Papierkorb: 'Trash',
      Archiv: 'Archive',
      Projekte: 'Projekte',
      INBOX: 'INBOX',
    };
    const dovecot = await startDovecot('maildir:~/Maildir', uses);
    try {
      const messages = Object.keys(ours).map((folder, i) => ({
        folder,
        raw: `From: s${i}@example.org\r\nTo: alice@example.test\r\nSubject: special use ${i}\r\nMessage-ID: <su${i}@example.org>\r\n\r\nbody ${i}\r\n`,
        flags: i % 2 ? ['\\Seen'] : [],
        internalDate: new Date(Date.UTC(2022, i, 3, 12, 0, 0)),
      }));
      await fillDovecot(dovecot, 'bob', messages);
      const user = await newAccount(server);
      const args = importImap(dovecot.port, 'bob', user);
      const first = mailstead(server.dir, args, DOVECOT_PASSWORD + '\n');
      assert.equal(first.code, 0, first.err);
      const report = JSON.parse(first.out) as {
        imported: number;
        folders: { folder: string; into?: string }[];
      };
      assert.equal(report.imported, messages.length);
      for (const f of report.folders) assert.equal(f.into ?? f.folder, ours[f.folder], f.folder);
      assert.deepEqual(
        await importedView(server.app, user),
        expectedView(messages.map((m) => ({ ...m, folder: ours[m.folder]! }))),
      );
      const account = (await server.app.directory.getAccount(user))!;
      const names = (
        await server.app.mailbox.folders.list(await server.app.mailbox.actorFor(account.id))
      ).map((f) => f.name);
      for (const source of Object.keys(uses)) assert.ok(!names.includes(source), `no folder ${source} made`);
      const ledger = readFileSync(join(server.dir, 'import', `ledger-${account.id}.txt`), 'utf8');
      assert.match(ledger, /^Gesendet\/2019\timap:127\.0\.0\.1\/Gesendet\/2019;UIDVALIDITY=\d+\/;UID=1$/m);
      const second = mailstead(server.dir, args, DOVECOT_PASSWORD + '\n');
      assert.deepEqual(
        [JSON.parse(second.out).imported, JSON.parse(second.out).skipped],
        [0, messages.length],
      );
    } finally {
      await dovecot.stop();
    }
  });

  it("leaves out Gmail's views (All Mail, Starred, Important) but imports mail only All Mail holds, into Archive; --include-views copies them", async () => {
    const dovecot = await startDovecot(
      'maildir:~/Maildir',
      {},
      {
        'All Mail': { specialUse: '\\All', search: 'all' },
        Starred: { specialUse: '\\Flagged', search: 'flagged' },
        Important: { specialUse: '\\Important', search: 'seen' },
      },
    );
    try {
      const filed = fixtureMessages();
      // Archived in Gmail's sense: in no folder LIST shows, only in All Mail.
      const archived = [0, 1].map((i) => ({
        folder: 'Archived/Old',
        raw: `From: a${i}@example.org\r\nTo: alice@example.test\r\nSubject: archived ${i}\r\nMessage-ID: <ar${i}@example.org>\r\n\r\narchived ${i}\r\n`,
        flags: i ? ['\\Seen'] : [],
        internalDate: new Date(Date.UTC(2021, i, 5, 9, 0, 0)),
      }));
      await fillDovecot(dovecot, 'carol', [...filed, ...archived]);
      const all = [...filed, ...archived];
      const count = (flag: string) => all.filter((m) => m.flags.includes(flag)).length;

      const user = await newAccount(server);
      const args = importImap(dovecot.port, 'carol', user);
      const dry = mailstead(server.dir, [...args, '--dry-run'], DOVECOT_PASSWORD + '\n');
      assert.equal(dry.code, 0, dry.err);
      assert.equal(JSON.parse(dry.out).imported, all.length);
      const first = mailstead(server.dir, args, DOVECOT_PASSWORD + '\n');
      assert.equal(first.code, 0, first.err);
      const report = JSON.parse(first.out) as {
        imported: number;
        folders: { folder: string; into?: string; imported: number }[];
        leftOut: { folder: string; messages: number }[];
      };
      assert.equal(report.imported, all.length);
      assert.deepEqual(
        report.folders.find((f) => f.folder === '[Gmail]/All Mail'),
        {
          folder: '[Gmail]/All Mail',
          into: 'Archive',
          imported: archived.length,
          skipped: 0,
          bytes: archived.reduce((n, m) => n + m.raw.length, 0),
        },
      );
      assert.deepEqual(Object.fromEntries(report.leftOut.map((v) => [v.folder, v.messages])), {
        '[Gmail]/All Mail': filed.length,
        '[Gmail]/Starred': count('\\Flagged'),
        '[Gmail]/Important': count('\\Seen'),
      });
      assert.deepEqual(
        await importedView(server.app, user),
        expectedView([...filed, ...archived.map((m) => ({ ...m, folder: 'Archive' }))]),
      );
      const second = mailstead(server.dir, args, DOVECOT_PASSWORD + '\n');
      assert.deepEqual([JSON.parse(second.out).imported, JSON.parse(second.out).skipped], [0, all.length]);

      const copy = await newAccount(server);
      const views = mailstead(
        server.dir,
        [...importImap(dovecot.port, 'carol', copy), '--include-views'],
        DOVECOT_PASSWORD + '\n',
      );
      assert.equal(views.code, 0, views.err);
      assert.deepEqual(JSON.parse(views.out).leftOut, []);
      const inFolder = (await importedView(server.app, copy)).reduce(
        (n, m) => n.set(m.folder, (n.get(m.folder) ?? 0) + 1),
        new Map<string, number>(),
      );
      assert.deepEqual(
        [
          inFolder.get('[Gmail]/All Mail'),
          inFolder.get('[Gmail]/Starred'),
          inFolder.get('[Gmail]/Important'),
        ],
        [all.length, count('\\Flagged'), count('\\Seen')],
      );
    } finally {
      await dovecot.stop();
    }
  });

  it("imports the PST reader package's test file: folder tree, messages, groupware items aside; twice imports nothing twice", async () => {
    assert.ok(existsSync(PST), `${PST} (shipped in the pst-extractor package) is missing`);
    const user = await newAccount(server);
    const dry = await cli(server.dir, 'import', 'pst', PST, '--user', user, '--dry-run', '--json');
    assert.equal(dry.code, 0, dry.err);
    const planned = JSON.parse(dry.out);
    assert.ok(planned.imported > 0);
    const first = await cli(server.dir, 'import', 'pst', PST, '--user', user, '--json');
    assert.equal(first.code, 0, first.err);
    const done = JSON.parse(first.out);
    assert.equal(done.imported, planned.imported);
    const view = await importedView(server.app, user);
    assert.equal(view.length, done.imported);
    assert.ok(new Set(view.map((m) => m.folder)).size > 1, 'keeps a folder tree');
    assert.ok(
      view.every((m) => /^MIME-Version: 1\.0$/im.test(m.raw.slice(0, m.raw.indexOf('\r\n\r\n')))),
      'every message is MIME with headers',
    );
    assert.ok(
      view.some((m) => m.flags.includes('\\Seen')),
      'read state carried as \\Seen',
    );
    const second = await cli(server.dir, 'import', 'pst', PST, '--user', user, '--json');
    assert.deepEqual([JSON.parse(second.out).imported, JSON.parse(second.out).skipped], [0, done.imported]);
    const id = (await server.app.directory.getAccount(user))!.id;
    const aside = join(server.dir, 'import', `groupware-${id}.jsonl`);
    if (done.keptAside) assert.equal(readFileSync(aside, 'utf8').trim().split('\n').length, done.keptAside);
  });
});
