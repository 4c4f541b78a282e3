import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOB, ImapClient, imapFixture, message, tagless, untagged, type ImapFixture } from './fixture.js';

const recentOf = (lines: string[]) => Number(/^\* (\d+) RECENT$/m.exec(lines.join('\n'))?.[1] ?? NaN);
const statusRecent = async (c: ImapClient, folder = 'INBOX') =>
  Number(/RECENT (\d+)/.exec((await c.cmd(`STATUS ${folder} (RECENT)`))[0]!)![1]);

describe('imap \\Recent (IMAP4rev1)', () => {
  let f: ImapFixture;
  before(async () => (f = await imapFixture(3)));
  after(() => f.close());

  it('the first session to SELECT gets the new messages as \\Recent, a second one does not', async () => {
    const other = await ImapClient.login(f.port);
    assert.equal(await statusRecent(other), 3);
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.login(f.port);
    assert.equal(recentOf(await a.cmd('SELECT INBOX')), 3);
    assert.equal(recentOf(await b.cmd('SELECT INBOX')), 0);
    assert.equal(await statusRecent(other), 0);
    assert.deepEqual(tagless(await a.cmd('FETCH 1:3 (FLAGS)')), [
      '* 1 FETCH (FLAGS (\\Recent))',
      '* 2 FETCH (FLAGS (\\Recent))',
      '* 3 FETCH (FLAGS (\\Recent))',
      'OK FETCH completed',
    ]);
    assert.deepEqual(untagged(await b.cmd('FETCH 1 (FLAGS)')), ['* 1 FETCH (FLAGS ())']);

    // New mail goes to whichever session hears of it first; the other keeps its count.
    await f.deliver(f.accounts.alice, message(10));
    assert.deepEqual(tagless(await b.cmd('NOOP')), ['* 4 EXISTS', '* 1 RECENT', 'OK NOOP completed']);
    assert.deepEqual(tagless(await a.cmd('NOOP')), ['* 4 EXISTS', '* 3 RECENT', 'OK NOOP completed']);
    assert.deepEqual(untagged(await b.cmd('FETCH 4 (UID FLAGS)')), ['* 4 FETCH (UID 4 FLAGS (\\Recent))']);
    assert.deepEqual(untagged(await a.cmd('FETCH 4 (UID FLAGS)')), ['* 4 FETCH (UID 4 FLAGS ())']);

    // \Recent cannot be stored, and a STORE reply shows it with the stored flags.
    assert.deepEqual(untagged(await a.cmd('STORE 1 +FLAGS (\\Seen \\Recent)')), [
      '* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))',
    ]);
    assert.deepEqual(untagged(await b.cmd('NOOP')), ['* 1 FETCH (UID 1 FLAGS (\\Seen))']);
    await b.cmd('STORE 2 +FLAGS.SILENT (\\Answered)');
    assert.deepEqual(untagged(await a.cmd('NOOP')), ['* 2 FETCH (UID 2 FLAGS (\\Answered \\Recent))']);
    await a.cmd('STORE 4 +FLAGS.SILENT (\\Answered)');
    assert.deepEqual(untagged(await b.cmd('NOOP')), ['* 4 FETCH (UID 4 FLAGS (\\Answered \\Recent))']);

    assert.deepEqual(untagged(await a.cmd('SEARCH RECENT')), ['* SEARCH 1 2 3']);
    assert.deepEqual(untagged(await a.cmd('SEARCH NEW')), ['* SEARCH 2 3']);
    assert.deepEqual(untagged(await a.cmd('SEARCH OLD')), ['* SEARCH 4']);
    assert.deepEqual(untagged(await a.cmd('UID SEARCH NOT RECENT')), ['* SEARCH 4']);
    assert.deepEqual(untagged(await b.cmd('SEARCH RECENT')), ['* SEARCH 4']);
    assert.deepEqual(untagged(await b.cmd('SEARCH OLD')), ['* SEARCH 1 2 3']);

    // Once both are gone, a new session sees nothing recent: each message was told once.
    a.close();
    b.close();
    const c = await ImapClient.login(f.port);
    assert.equal(recentOf(await c.cmd('SELECT INBOX')), 0);
    assert.deepEqual(untagged(await c.cmd('SEARCH RECENT')), ['* SEARCH']);
    c.close();
    other.close();
  });

  it('EXAMINE shows \\Recent without taking it; SELECT afterwards still gets it', async () => {
    await f.deliver(f.accounts.bob, message(20));
    await f.deliver(f.accounts.bob, message(21));
    const e = await ImapClient.login(f.port, BOB);
    assert.equal(recentOf(await e.cmd('EXAMINE INBOX')), 2);
    assert.deepEqual(untagged(await e.cmd('FETCH 2 (FLAGS)')), ['* 2 FETCH (FLAGS (\\Recent))']);
    const s = await ImapClient.login(f.port, BOB);
    assert.equal(await statusRecent(s), 2);
    assert.equal(recentOf(await s.cmd('SELECT INBOX')), 2);
    assert.equal(await statusRecent(e), 0);
    // Mail that arrives while both are in: the read-only session shows it only if no one took it.
    await f.deliver(f.accounts.bob, message(22));
    assert.deepEqual(tagless(await s.cmd('NOOP')), ['* 3 EXISTS', '* 3 RECENT', 'OK NOOP completed']);
    assert.deepEqual(tagless(await e.cmd('NOOP')), ['* 3 EXISTS', '* 2 RECENT', 'OK NOOP completed']);
    e.close();
    s.close();
  });

  it('an IMAP4rev2 session never sees \\Recent and takes none', async () => {
    await f.deliver(f.accounts.bob, message(30));
    const v2 = await ImapClient.login(f.port, BOB);
    await v2.cmd('ENABLE IMAP4rev2');
    const sel = await v2.cmd('SELECT INBOX');
    assert.ok(!sel.some((l) => /RECENT/.test(l)), sel.join('\n'));
    assert.deepEqual(untagged(await v2.cmd('FETCH 4 (FLAGS)')), ['* 4 FETCH (FLAGS ())']);
    await f.deliver(f.accounts.bob, message(31));
    assert.deepEqual(tagless(await v2.cmd('NOOP')), ['* 5 EXISTS', 'OK NOOP completed']);
    const v1 = await ImapClient.login(f.port, BOB);
    assert.equal(recentOf(await v1.cmd('SELECT INBOX')), 2);
    v1.close();
    v2.close();
  });

  it('APPEND, COPY and MOVE into a folder make recent messages there', async () => {
    const a = await ImapClient.login(f.port);
    await a.cmd('CREATE Recent-Test');
    await a.cmd('SELECT INBOX');
    await a.cmd('COPY 1:2 Recent-Test');
    await a.cmd('APPEND Recent-Test {5+}\r\nhello');
    assert.equal(await statusRecent(a, 'Recent-Test'), 3);
    const b = await ImapClient.login(f.port);
    assert.deepEqual(
      untagged(await b.cmd('SELECT Recent-Test')).filter((l) => /EXISTS|RECENT/.test(l)),
      ['* 3 EXISTS', '* 3 RECENT'],
    );
    await a.cmd('MOVE 3 Recent-Test');
    assert.deepEqual(
      untagged(await b.cmd('NOOP')).filter((l) => /EXISTS|RECENT/.test(l)),
      ['* 4 EXISTS', '* 4 RECENT'],
    );
    a.close();
    b.close();
  });
});
