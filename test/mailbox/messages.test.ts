import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MailboxChange } from '../../src/mailbox/events.js';
import { forEachBackend } from '../store/backends.js';
import { mailboxFixture, message } from './fixture.js';

forEachBackend('mailbox messages', (backend) => {
  it('raises MODSEQ on every change and reports changes and VANISHED since a modseq', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    for (let i = 1; i <= 5; i++) await f.deliver(alice, message(`m${i}`));
    const s0 = await m.folders.select(alice, 'INBOX');
    assert.deepEqual([...s0.uids], [1, 2, 3, 4, 5]);
    const r = await m.messages.storeFlags(alice, 'INBOX', [[1, 3]], {
      op: 'add',
      flags: ['\\Seen', '$Important'],
    });
    assert.ok(r.modseq > s0.highestModseq);
    assert.deepEqual(
      r.updated.map((u) => [u.uid, u.flags, u.modseq]),
      [1, 2, 3].map((u) => [u, ['\\Seen', '$Important'], r.modseq]),
    );
    // A no-op store changes nothing; unchangedSince protects newer messages.
    assert.deepEqual(
      (await m.messages.storeFlags(alice, 'INBOX', [[1, 3]], { op: 'add', flags: ['\\Seen'] })).updated,
      [],
    );
    const cond = await m.messages.storeFlags(alice, 'INBOX', [[1, 5]], {
      op: 'add',
      flags: ['\\Flagged'],
      unchangedSince: s0.highestModseq,
    });
    assert.deepEqual(cond.modified, [1, 2, 3]);
    assert.deepEqual(
      cond.updated.map((u) => u.uid),
      [4, 5],
    );
    const removed = await m.messages.storeFlags(alice, 'INBOX', [[2, 2]], {
      op: 'remove',
      flags: ['$Important', '\\Seen'],
    });
    assert.deepEqual(removed.updated[0]!.flags, []);
    await m.messages.storeFlags(
      alice,
      'INBOX',
      [
        [1, 1],
        [5, 5],
      ],
      { op: 'replace', flags: ['\\Deleted', 'Later'] },
    );
    const ex = await m.messages.expunge(alice, 'INBOX');
    assert.deepEqual(ex.expunged, [1, 5]);
    const ch = await m.messages.changesSince(alice, 'INBOX', r.modseq);
    assert.deepEqual(ch.vanished, [
      [1, 1],
      [5, 5],
    ]);
    assert.deepEqual(
      ch.changed.map((c) => c.uid),
      [2, 4],
    );
    const s1 = await m.folders.select(alice, 'INBOX');
    assert.deepEqual([...s1.uids], [2, 3, 4]);
    assert.equal(s1.highestModseq, ex.modseq);
    assert.deepEqual(s1.keywords.get(3), ['$Important']);
    assert.deepEqual(s1.knownKeywords, ['$Important']);
    const st = await m.folders.status(alice, 'INBOX');
    assert.deepEqual([st.messages, st.unseen, st.deleted, st.uidnext], [3, 2, 0, 6]);
  });

  it('copies and moves with UIDPLUS mappings, quota usage and blob references kept right', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    for (let i = 1; i <= 4; i++) await f.deliver(alice, message(`c${i}`));
    await m.messages.storeFlags(alice, 'INBOX', [[2, 2]], { op: 'add', flags: ['\\Seen'] });
    const copy = await m.messages.copy(alice, 'INBOX', [[2, 3]], 'Archive');
    assert.deepEqual(copy.mapping, [
      [2, 1],
      [3, 2],
    ]);
    const [meta] = await m.messages.fetch(alice, 'Archive', [[1, 1]]);
    assert.deepEqual(meta!.flags, ['\\Seen']);
    const orig = (await m.messages.fetch(alice, 'INBOX', [[2, 2]]))[0]!;
    assert.equal(meta!.emailId, orig.emailId, 'a copy keeps its EMAILID');
    const move = await m.messages.move(
      alice,
      'INBOX',
      [
        [1, 1],
        [4, 4],
      ],
      'Archive',
    );
    assert.deepEqual(move.mapping, [
      [1, 3],
      [4, 4],
    ]);
    assert.deepEqual(move.expunged, [1, 4]);
    assert.equal((await m.folders.status(alice, 'INBOX')).messages, 2);
    assert.equal((await m.folders.status(alice, 'Archive')).messages, 4);
    assert.equal((await m.quotaStatus(alice.accountId)).usedMessages, 6);
    await m.folders.delete(alice, 'Archive');
    assert.equal((await m.quotaStatus(alice.accountId)).usedMessages, 2);
  });

  it('searches flags, sizes, dates, header fields and body words in SQL', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    await f.deliver(alice, message('Quarterly report', 'The numbers for the third quarter are in.'));
    await f.deliver(alice, message('Lunch', 'Shall we meet at noon?', 'X-Mailer: Elm 2.5\r\n'));
    await f.deliver(alice, message('=?UTF-8?B?w5xiZXJ3ZWlzdW5n?=', 'Zahlung erhalten.'));
    await m.messages.storeFlags(alice, 'INBOX', [[2, 2]], { op: 'add', flags: ['\\Seen'] });
    const s = async (key: Parameters<typeof m.messages.search>[2]) =>
      (await m.messages.search(alice, 'INBOX', key)).uids;
    assert.deepEqual(await s({ type: 'all' }), [1, 2, 3]);
    assert.deepEqual(await s({ type: 'flag', flag: '\\Seen', set: false }), [1, 3]);
    assert.deepEqual(await s({ type: 'header', field: 'subject', value: 'REPORT' }), [1]);
    assert.deepEqual(await s({ type: 'header', field: 'subject', value: 'überweisung' }), [3]);
    assert.deepEqual(await s({ type: 'header', field: 'x-mailer', value: 'elm' }), [2]);
    assert.deepEqual(await s({ type: 'header', field: 'x-mailer', value: '' }), [2]);
    assert.deepEqual(await s({ type: 'text', part: 'body', value: 'third quarter' }), [1]);
    assert.deepEqual(await s({ type: 'text', part: 'body', value: 'Lunch' }), []);
    assert.deepEqual(await s({ type: 'text', part: 'text', value: 'lunch' }), [2]);
    assert.deepEqual(await s({ type: 'not', key: { type: 'uid', uids: [[2, 3]] } }), [1]);
    assert.deepEqual(
      await s({
        type: 'or',
        keys: [
          { type: 'text', part: 'body', value: 'noon' },
          { type: 'header', field: 'from', value: 'nobody' },
        ],
      }),
      [2],
    );
    assert.deepEqual(await s({ type: 'size', op: 'larger', bytes: 10_000 }), []);
    assert.deepEqual(
      await s({ type: 'date', field: 'sent', op: 'on', date: Date.UTC(2024, 5, 3, 23) }),
      [1, 2, 3],
    );
    assert.deepEqual(
      await s({ type: 'date', field: 'internal', op: 'before', date: Date.UTC(2000, 0, 1) }),
      [],
    );
    const sorted = await m.messages.sortFields(alice, 'INBOX', [[1, 3]]);
    assert.deepEqual(
      sorted.map((x) => x.subject),
      ['Quarterly report', 'Lunch', 'Überweisung'],
    );
  });

  it('publishes new, flags and expunge changes after commit', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    await f.deliver(alice, message('first'));
    const inbox = await m.folders.select(alice, 'INBOX');
    const seen: MailboxChange[] = [];
    const off = m.subscribe(inbox.folderId, (c) => seen.push(c));
    await f.deliver(alice, message('second'));
    await m.messages.storeFlags(alice, 'INBOX', [[1, 2]], { op: 'add', flags: ['\\Deleted'] });
    await m.messages.expunge(alice, 'INBOX', [[2, 2]]);
    off();
    await f.deliver(alice, message('unseen by listener'));
    assert.deepEqual(
      seen.map((c) => [c.kind, c.uids]),
      [
        ['new', [[2, 2]]],
        ['flags', [[1, 2]]],
        ['expunge', [[2, 2]]],
      ],
    );
    assert.ok(seen[0]!.modseq < seen[1]!.modseq && seen[1]!.modseq < seen[2]!.modseq);
    assert.doesNotThrow(() => JSON.stringify(seen));
  });

  it('renames folders with their children, and INBOX by moving its messages out', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    await m.folders.create(alice, 'Projects');
    await m.folders.create(alice, 'Projects/2024');
    await m.folders.rename(alice, 'Projects', 'Work');
    const names = (await m.folders.list(alice)).map((x) => x.name);
    assert.ok(names.includes('Work/2024') && !names.includes('Projects'));
    assert.ok((await m.folders.list(alice)).find((x) => x.name === 'Work')!.hasChildren);
    await f.deliver(alice, message('old'));
    await m.folders.rename(alice, 'INBOX', 'Old Inbox');
    assert.equal((await m.folders.status(alice, 'INBOX')).messages, 0);
    assert.equal((await m.folders.status(alice, 'Old Inbox')).messages, 1);
    assert.match((await m.messages.read(alice, 'Old Inbox', 1)).toString(), /Subject: old/);
    assert.equal(await f.deliver(alice, message('new')), 2, 'INBOX keeps counting uids');
  });
});
