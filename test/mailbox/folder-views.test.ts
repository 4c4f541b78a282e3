import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { NotFoundError } from '../../src/core/errors.js';
import { flagNames, splitFlags } from '../../src/mailbox/flags.js';
import { FolderViews, nextSnapshot, type FolderSnapshot } from '../../src/mailbox/folder-views.js';
import { toUidSet } from '../../src/mailbox/uid-set.js';
import { forEachBackend } from '../store/backends.js';
import { fuzzRuns } from '../support/fuzz.js';
import { mailboxFixture, message } from './fixture.js';

forEachBackend('mailbox folder views', (backend) => {
  it('sessions of one folder share one snapshot; a change is read once and links the next one', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    for (let i = 1; i <= 3; i++) await f.deliver(alice, message(`m${i}`));
    const a = await m.views.open(alice, 'INBOX');
    const b = await m.views.open(alice, 'INBOX');
    assert.equal(a.view, b.view);
    assert.equal(a.snapshot, b.snapshot);
    assert.deepEqual([...a.snapshot.uids], [1, 2, 3]);

    let reads = 0;
    const changesSince = m.messages.changesSince.bind(m.messages);
    m.messages.changesSince = (...args) => {
      reads++;
      return changesSince(...args);
    };
    const told: string[] = [];
    a.view.listen(() => told.push('a'));
    await f.deliver(alice, message('m4'));
    await m.messages.storeFlags(alice, 'INBOX', [[2, 2]], { op: 'add', flags: ['\\Seen', 'work'] });
    assert.deepEqual(told, ['a', 'a']);
    assert.equal(a.view.isStale, true);
    const [x, y] = await Promise.all([a.view.current(), b.view.current()]);
    assert.equal(reads, 1, 'one read of the store for every session');
    assert.equal(x, y);
    assert.equal(a.snapshot.next?.snapshot, x);
    assert.deepEqual(
      a.snapshot.next!.changed.map((c) => [c.uid, c.flags]),
      [
        [2, ['\\Seen', 'work']],
        [4, []],
      ],
    );
    assert.deepEqual([...x.uids], [1, 2, 3, 4]);
    assert.deepEqual(x.keywords.get(2), ['work']);
    assert.ok(a.view.knownKeywords.has('work'));
    // The older snapshot is unchanged: a session that has not caught up still sees it.
    assert.deepEqual([...a.snapshot.uids], [1, 2, 3]);
    assert.equal(a.snapshot.flags[1], 0);

    await m.messages.storeFlags(alice, 'INBOX', [[1, 1]], { op: 'add', flags: ['\\Deleted'] });
    await m.messages.expunge(alice, 'INBOX');
    const z = await a.view.current();
    assert.deepEqual([...z.uids], [2, 3, 4]);
    assert.deepEqual(x.next?.vanished, [[1, 1]]);
    assert.ok(z.highestModseq > x.highestModseq);
    m.views.release(a.view);
    m.views.release(b.view);
  });

  it('an ACL change makes sessions check their rights again; without r the folder is gone for them', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice, bob } = f;
    await m.folders.create(alice, 'Team');
    await m.acl.set(alice, 'Team', bob.address, 'lr');
    const opened = await m.views.open(bob, `Other Users/${alice.address}/Team`);
    const epoch = opened.view.epoch;
    await m.acl.set(alice, 'Team', bob.address, 'lrs');
    assert.equal(opened.view.epoch, epoch + 1);
    assert.equal(await m.views.recheck(bob, opened.view), 'lrs');
    await m.acl.set(alice, 'Team', bob.address, 'l');
    await assert.rejects(m.views.recheck(bob, opened.view), NotFoundError);
    await m.acl.delete(alice, 'Team', bob.address);
    await assert.rejects(m.views.recheck(bob, opened.view), NotFoundError);
    m.views.release(opened.view);
  });

  it('a change committed while the first session reads the folder is not lost', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    await f.deliver(alice, message('m1'));
    const opening = m.views.open(alice, 'INBOX');
    const delivering = f.deliver(alice, message('m2'));
    const [opened] = await Promise.all([opening, delivering]);
    const latest = await opened.view.current();
    assert.deepEqual([...latest.uids], [1, 2]);
    m.views.release(opened.view);
  });

  it('\\Recent: each uid is claimed once, the mark is kept in the store for the next view and STATUS', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice } = f;
    for (let i = 1; i <= 3; i++) await f.deliver(alice, message(`m${i}`));
    assert.equal((await m.folders.status(alice, 'INBOX')).recent, 3);
    const { view } = await m.views.open(alice, 'INBOX');
    assert.deepEqual(view.claimRecent(3), [1, 2]);
    assert.equal(view.claimRecent(3), null);
    assert.deepEqual(view.claimRecent(4), [3, 3]);
    // Two claims while nothing is written yet share one write.
    let writes = 0;
    const reported = m.folders.reportedRecent.bind(m.folders);
    m.folders.reportedRecent = (...args) => (writes++, reported(...args));
    await Promise.all([view.saveRecent(), view.saveRecent()]);
    assert.equal(writes, 1);
    assert.equal((await m.folders.status(alice, 'INBOX')).recent, 0);
    await f.deliver(alice, message('m4'));
    assert.equal((await m.folders.status(alice, 'INBOX')).recent, 1);
    m.views.release(view);

    // Another process (or this one after the view is gone) starts from the stored mark.
    const other = new FolderViews(m.bus, m.folders, m.messages);
    const again = await other.open(alice, 'INBOX');
    assert.equal(again.view.firstRecentUid, 4);
    assert.deepEqual(again.view.claimRecent(5), [4, 4]);
    other.release(again.view);
  });
});

/** A message of the model: uid, system flag bits, keywords, modseq. */
type ModelMessage = { uid: number; bits: number; keywords: string[]; modseq: number };

function snapshotOf(list: ModelMessage[], uidnext: number, highestModseq: number): FolderSnapshot {
  return {
    uids: Uint32Array.from(list.map((m) => m.uid)),
    flags: Uint8Array.from(list.map((m) => m.bits)),
    modseqs: Float64Array.from(list.map((m) => m.modseq)),
    keywords: new Map(list.filter((m) => m.keywords.length).map((m) => [m.uid, m.keywords])),
    uidnext,
    highestModseq,
    next: undefined,
  };
}

function modelOf(s: FolderSnapshot): ModelMessage[] {
  return [...s.uids].map((uid, i) => ({
    uid,
    bits: s.flags[i]!,
    keywords: s.keywords.get(uid) ?? [],
    modseq: s.modseqs[i]!,
  }));
}

it('nextSnapshot agrees with applying the change message by message', () => {
  const message = fc.record({
    bits: fc.integer({ min: 0, max: 31 }),
    keywords: fc.uniqueArray(fc.constantFrom('a', 'b', 'work'), { maxLength: 2 }),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 30 }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 90 }), message), { maxLength: 20 }),
      fc.uniqueArray(fc.integer({ min: 1, max: 90 }), { maxLength: 15 }),
      (present, changes, vanish) => {
        const uids = [...present].sort((a, b) => a - b);
        const before = uids.map((uid) => ({
          uid,
          bits: uid % 32,
          keywords: uid % 3 ? [] : ['a'],
          modseq: uid,
        }));
        const maxUid = uids.at(-1) ?? 0;
        const prev = snapshotOf(before, maxUid + 1, 100);
        // What the store would report: changes to present messages or new ones above the last uid.
        const changed = new Map<number, ModelMessage>();
        changes.forEach(([uid, m], i) => {
          if (vanish.includes(uid) || (uid <= maxUid && !uids.includes(uid))) return;
          changed.set(uid, { uid, bits: m.bits, keywords: m.keywords, modseq: 101 + i });
        });
        const changedList = [...changed.values()].sort((a, b) => a.uid - b.uid);
        const next = nextSnapshot(prev, {
          highestModseq: 200,
          changed: changedList.map((c) => ({
            uid: c.uid,
            flags: flagNames(c.bits, c.keywords),
            modseq: c.modseq,
          })),
          vanished: toUidSet(vanish),
        });
        const expected = [...before, ...changedList.filter((c) => c.uid > maxUid)]
          .filter((m) => !vanish.includes(m.uid))
          .map((m) => {
            const c = changed.get(m.uid);
            return c ? { ...c, keywords: splitFlags(flagNames(c.bits, c.keywords)).keywords } : m;
          });
        assert.deepEqual(modelOf(next), expected);
        assert.equal(next.highestModseq, 200);
        assert.ok(next.uidnext > Math.max(0, ...expected.map((m) => m.uid), ...vanish));
        // The earlier snapshot is left as it was.
        assert.deepEqual(modelOf(prev), before);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
