import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from './api-client.js';

describe('api: folders, ACL matrix, quotas, filter rules, shared mailboxes', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    t = await startApiServer();
  });
  after(() => t.server.close());

  const inbox = async (address: string) =>
    (await t.admin.get(`/accounts/${address}/folders`)).body.find((f: any) => f.name === 'INBOX').id;

  test('a user creates, renames and deletes their own folders', async () => {
    const created = await t.user.post('/accounts/seller@a.test/folders', {
      name: 'Meetings',
      type: 'calendar',
    });
    assert.equal(created.status, 200);
    const listed = (await t.user.get('/accounts/seller@a.test/folders')).body.find(
      (f: any) => f.id === created.body.id,
    );
    assert.equal(listed.type, 'calendar');
    assert.equal(
      (await t.user.patch(`/accounts/seller@a.test/folders/${created.body.id}`, { name: 'Appointments' }))
        .status,
      200,
    );
    assert.ok(
      (await t.user.get('/accounts/seller@a.test/folders')).body.some((f: any) => f.name === 'Appointments'),
    );
    assert.equal((await t.user.delete(`/accounts/seller@a.test/folders/${created.body.id}`)).status, 200);
    assert.equal(
      (await t.user.post('/accounts/seller@a.test/folders', { name: 'X', type: 'spreadsheet' })).status,
      400,
    );
  });

  test('the ACL matrix round-trips: columns in, RFC 4314 rights stored, rows left out removed', async () => {
    const id = await inbox('seller@a.test');
    const set = await t.user.put(`/accounts/seller@a.test/folders/${id}/acl`, {
      entries: [
        { identifier: 'helper@a.test', columns: ['lookup', 'read', 'seen'] },
        { identifier: '$sales', columns: ['lookup', 'read', 'create', 'delete', 'admin'] },
      ],
    });
    assert.equal(set.status, 200);
    assert.deepEqual(
      set.body.columns.map((c: any) => c.name),
      ['lookup', 'read', 'seen', 'write', 'insert', 'post', 'create', 'delete', 'admin'],
    );
    const rights = Object.fromEntries(set.body.entries.map((e: any) => [e.identifier, e.rights]));
    assert.deepEqual(rights, { 'helper@a.test': 'lrs', $sales: 'lrkxtea' });
    const helper = await t.as('helper@a.test');
    assert.ok(
      (await helper.get('/accounts/helper@a.test/folders')).body.some((f: any) =>
        f.name.endsWith('seller@a.test/INBOX'),
      ),
    );
    const again = await t.user.put(`/accounts/seller@a.test/folders/${id}/acl`, {
      entries: [{ identifier: '$sales', columns: ['lookup'] }],
    });
    assert.deepEqual(again.body.entries, [{ identifier: '$sales', rights: 'l', columns: ['lookup'] }]);
    assert.equal(
      (
        await t.user.put(`/accounts/seller@a.test/folders/${id}/acl`, {
          entries: [{ identifier: 'x', columns: ['fly'] }],
        })
      ).status,
      400,
    );
  });

  test("nobody reaches another account's folder by its id", async () => {
    const helperInbox = await inbox('helper@a.test');
    for (const [path, method] of [
      [`/accounts/seller@a.test/folders/${helperInbox}/acl`, 'GET'],
      [`/accounts/seller@a.test/folders/${helperInbox}`, 'DELETE'],
      [`/accounts/seller@a.test/folders/${helperInbox}/quota`, 'GET'],
    ] as const)
      assert.equal((await t.user.call(method, path)).status, 404, `${method} ${path}`);
    assert.equal((await t.user.get('/accounts/helper@a.test/folders')).status, 403);
    assert.equal((await t.otherUser.get(`/accounts/bob@b.test/folders/${helperInbox}/acl`)).status, 404);
    assert.equal((await t.user.get('/accounts/-/folders')).status, 403);
  });

  test('quotas: account usage and a folder quota', async () => {
    const q = await t.user.get('/accounts/seller@a.test/quota');
    assert.deepEqual(Object.keys(q.body).sort(), ['maxBytes', 'maxMessages', 'usedBytes', 'usedMessages']);
    const id = await inbox('seller@a.test');
    assert.equal(
      (await t.user.put(`/accounts/seller@a.test/folders/${id}/quota`, { bytes: 5_000_000, messages: null }))
        .status,
      200,
    );
    const roots = (await t.user.get(`/accounts/seller@a.test/folders/${id}/quota`)).body;
    assert.ok(roots.some((r: any) => r.maxBytes === 5_000_000));
    assert.equal((await t.user.post('/accounts/seller@a.test/reconstruct')).status, 403);
    assert.equal((await t.admin.post('/accounts/seller@a.test/reconstruct')).status, 200);
  });

  test('filter rules: add, disable, move, remove, vacation; others cannot read them', async () => {
    const base = '/accounts/seller@a.test';
    const rule = (name: string) => ({
      name,
      enabled: true,
      match: 'any',
      conditions: [{ field: 'subject', op: 'contains', value: name }],
      actions: [{ type: 'fileinto', folder: 'INBOX' }],
      stop: true,
    });
    await t.user.post(`${base}/filters`, rule('first'));
    const two = await t.user.post(`${base}/filters`, rule('second'));
    assert.deepEqual(
      two.body.rules.map((r: any) => r.name),
      ['first', 'second'],
    );
    const second = two.body.rules[1].id;
    assert.equal(
      (await t.user.patch(`${base}/filters/${second}`, { enabled: false })).body.rules[1].enabled,
      false,
    );
    assert.deepEqual(
      (await t.user.patch(`${base}/filters/${second}`, { position: 0 })).body.rules.map((r: any) => r.name),
      ['second', 'first'],
    );
    assert.deepEqual(
      (await t.user.delete(`${base}/filters/${second}`)).body.rules.map((r: any) => r.name),
      ['first'],
    );
    const vac = await t.user.put(`${base}/vacation`, {
      vacation: { enabled: true, subject: 'Away', text: 'Back Monday', addresses: [], days: 7 },
    });
    assert.equal(vac.body.vacation.subject, 'Away');
    assert.match(
      await t.server.app.sieve.getScript(
        (await t.server.app.directory.getAccount('seller@a.test'))!.id,
        'mailstead-rules',
      ),
      /vacation/,
    );
    assert.equal((await t.user.put(`${base}/vacation`, { vacation: null })).body.vacation, undefined);
    assert.equal((await t.otherUser.get(`${base}/filters`)).status, 403);
    assert.equal((await t.groupAdmin.get(`${base}/filters`)).status, 200, 'the group admin manages seller');
    assert.equal((await t.groupAdmin.get('/accounts/helper@a.test/filters')).status, 403);
    assert.equal((await t.user.post(`${base}/filters`, { ...rule('bad'), actions: [] })).status, 400);
  });

  test('a shared mailbox in one call: mailbox, ACL for a user and a group, send-as and on-behalf', async () => {
    const r = await t.domainAdmin.post('/shared-mailboxes', {
      address: 'info@a.test',
      displayName: 'Info',
      grants: [
        { grantee: 'seller@a.test', read: true, write: false, sendAs: true, sendOnBehalf: false },
        { grantee: '@support', read: true, write: true, sendAs: false, sendOnBehalf: true },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.webmail, false);
    const acl = (await t.admin.get(`/accounts/info@a.test/folders/${await inbox('info@a.test')}/acl`)).body
      .entries;
    assert.deepEqual(Object.fromEntries(acl.map((e: any) => [e.identifier, e.rights])), {
      'seller@a.test': 'lrs',
      $support: 'lrswipkxte',
    });
    const d = t.server.app.directory;
    assert.equal(await d.mayUseAddress((await d.getAccount('seller@a.test'))!, 'info@a.test'), 'send-as');
    assert.equal(
      await d.mayUseAddress((await d.getAccount('helper@a.test'))!, 'info@a.test'),
      'send-on-behalf',
    );
    assert.equal(
      (await t.domainAdmin.post('/shared-mailboxes', { address: 'info@b.test', grants: [] })).status,
      403,
    );
  });
});
