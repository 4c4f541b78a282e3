import assert from 'node:assert/strict';
import { it } from 'node:test';
import { NotFoundError, PermissionError } from '../../src/core/errors.js';
import { SYSTEM_ACTOR } from '../../src/mailbox/types.js';
import { forEachBackend } from '../store/backends.js';
import { mailboxFixture, message } from './fixture.js';

forEachBackend('mailbox ACL isolation', (backend) => {
  it("a user without rights can do nothing with another account's folder", async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice, bob } = f;
    await f.deliver(alice, message('private'));
    const other = 'Other Users/alice@example.test/INBOX';
    assert.ok(!(await m.folders.list(bob)).some((x) => x.name.startsWith('Other Users/')));
    const denied = [
      () => m.folders.status(bob, other),
      () => m.folders.select(bob, other),
      () => m.messages.fetch(bob, other, [[1, 1]]),
      () => m.messages.read(bob, other, 1),
      () => m.messages.storeFlags(bob, other, [[1, 1]], { op: 'add', flags: ['\\Seen'] }),
      () => m.messages.copy(bob, 'INBOX', [[1, 1]], other),
      () => m.messages.copy(bob, other, [[1, 1]], 'INBOX'),
      () => m.messages.move(bob, other, [[1, 1]], 'INBOX'),
      () => m.messages.append(bob, other, { data: Buffer.from(message('spam')) }),
      () => m.messages.expunge(bob, other),
      () => m.messages.search(bob, other, { type: 'all' }),
      () => m.acl.set(bob, other, 'bob@example.test', 'lrswipkxtea'),
      () => m.acl.get(bob, other),
      () => m.folders.rename(bob, other, 'Other Users/alice@example.test/Stolen'),
      () => m.folders.delete(bob, 'Other Users/alice@example.test/Sent'),
      () => m.folders.create(bob, 'Other Users/alice@example.test/INBOX/Sub'),
    ];
    for (const attempt of denied)
      await assert.rejects(attempt(), (e) => e instanceof NotFoundError || e instanceof PermissionError);
    // Nothing changed for alice.
    const st = await m.folders.status(alice, 'INBOX');
    assert.equal(st.messages, 1);
    assert.equal(st.unseen, 1);
    assert.deepEqual(await m.acl.get(alice, 'INBOX'), []);
  });

  it('grants exactly the rights given: read-only sharing, then insert, then group rights', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice, bob, carol } = f;
    await f.deliver(alice, message('shared'));
    await m.acl.set(alice, 'INBOX', 'bob@example.test', 'lr');
    const other = 'Other Users/alice@example.test/INBOX';
    assert.ok(
      (await m.folders.list(bob)).some(
        (x) => x.name === other && x.namespace === 'other' && x.rights === 'lr',
      ),
    );
    assert.equal((await m.folders.select(bob, other)).readOnly, true);
    assert.match((await m.messages.read(bob, other, 1)).toString(), /Subject: shared/);
    await assert.rejects(
      m.messages.storeFlags(bob, other, [[1, 1]], { op: 'add', flags: ['\\Seen'] }),
      PermissionError,
    );
    await assert.rejects(m.messages.append(bob, other, { data: Buffer.from(message('x')) }), PermissionError);
    await assert.rejects(m.acl.get(bob, other), PermissionError);
    await m.acl.set(alice, 'INBOX', 'bob@example.test', '+is');
    assert.equal(await m.acl.myRights(bob, other), 'lrsi');
    const appended = await m.messages.append(bob, other, {
      data: Buffer.from(message('from bob')),
      flags: ['\\Seen', '\\Flagged'],
    });
    const [meta] = await m.messages.fetch(alice, 'INBOX', [[appended.uid, appended.uid]]);
    assert.deepEqual(meta!.flags, ['\\Seen'], 'flags bob may not set are dropped');
    await assert.rejects(m.folders.status(carol, other), NotFoundError);
    await f.directory.addGroup({ name: 'staff' });
    await f.directory.addGroupMembers('staff', ['carol@example.test']);
    await m.acl.set(alice, 'INBOX', 'group:staff', 'lr');
    const carolNow = await m.actorFor(carol.accountId);
    assert.equal((await m.folders.status(carolNow, other)).messages, 2);
    await m.acl.delete(alice, 'INBOX', '$staff');
    await assert.rejects(m.folders.status(carolNow, other), NotFoundError);
  });

  it('shares public folders with a type to everyone, per-user rights', async () => {
    const f = await mailboxFixture(backend);
    const { mailbox: m, alice, bob } = f;
    await m.folders.create(SYSTEM_ACTOR, 'Shared/Staff Schedule', { type: 'calendar' });
    await m.acl.set(SYSTEM_ACTOR, 'Shared/Staff Schedule', 'anyone', 'lr');
    await m.acl.set(SYSTEM_ACTOR, 'Shared/Staff Schedule', 'alice@example.test', 'lrswi');
    const seen = (await m.folders.list(bob)).find((x) => x.name === 'Shared/Staff Schedule');
    assert.equal(seen?.type, 'calendar');
    assert.equal(seen?.namespace, 'shared');
    await m.messages.append(alice, 'Shared/Staff Schedule', { data: Buffer.from(message('meeting')) });
    await assert.rejects(
      m.messages.append(bob, 'Shared/Staff Schedule', { data: Buffer.from(message('no')) }),
      PermissionError,
    );
    assert.equal((await m.folders.status(bob, 'Shared/Staff Schedule')).messages, 1);
    const meta = await m.metadata.get(bob, 'Shared/Staff Schedule', ['/shared/vendor/kolab/folder-type']);
    assert.deepEqual(meta, [{ entry: '/shared/vendor/kolab/folder-type', value: 'event' }]);
  });
});
