import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, startApiServer } from './api-client.js';

describe('api: domains, accounts, groups, aliases, send grants, and who may do what', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    t = await startApiServer();
  });
  after(() => t.server.close());

  test('domains: add, list with usage, limits, remove', async () => {
    assert.equal(
      (await t.admin.post('/domains', { name: 'c.test', maxAccounts: 2, maxStorage: null })).status,
      200,
    );
    const list = await t.admin.get('/domains');
    const c = list.body.find((x: any) => x.domain.name === 'c.test');
    assert.deepEqual(c.usage.accounts, { used: 0, max: 2 });
    assert.equal((await t.admin.get('/domains/c.test')).body.domain.maxStorage, null);
    const unlimited = await t.admin.post('/accounts', {
      address: 'free@c.test',
      password: 'p',
      quotaBytes: null,
    });
    assert.equal(unlimited.body.quotaBytes, null, 'null stays null, not a zero quota');
    await t.admin.delete('/accounts/free@c.test');
    assert.equal((await t.admin.patch('/domains/c.test', { maxStorage: 500 })).body.maxStorage, 500);
    assert.equal(
      (await t.admin.post('/accounts', { address: 'free2@c.test', password: 'p', quotaBytes: 1000 })).status,
      409,
      'over the domain storage limit',
    );
    assert.equal((await t.admin.delete('/domains/c.test')).status, 200);
    assert.equal((await t.admin.get('/domains/c.test')).status, 404);
  });

  test('accounts: create, edit privileges, quota, forwarding, password, disable, page', async () => {
    const created = await t.admin.post('/accounts', {
      address: 'new@a.test',
      password: 'pw-1',
      displayName: 'New',
      quotaBytes: 10_000_000,
    });
    assert.equal(created.status, 200);
    const edited = await t.admin.patch('/accounts/new@a.test', {
      receiveLocalOnly: true,
      webmail: false,
      forwardTo: ['out@b.test'],
      forwardKeepCopy: false,
    });
    assert.equal(edited.body.receiveLocalOnly, true);
    assert.deepEqual(edited.body.forwardTo, ['out@b.test']);
    const shown = await t.admin.get('/accounts/new@a.test');
    assert.equal(shown.body.quota.maxBytes, 10_000_000);
    assert.equal(shown.body.quota.usedBytes, 0);
    assert.equal((await t.admin.put('/accounts/new@a.test/password', { password: 'pw-2' })).status, 200);
    assert.equal((await t.as('new@a.test', 'pw-2')).cookie !== undefined, true);
    assert.equal((await t.admin.put('/accounts/new@a.test/enabled', { enabled: false })).body.enabled, false);
    const page = await t.admin.get('/accounts?domain=a.test&limit=2&offset=0');
    assert.equal(page.body.accounts.length, 2);
    assert.equal(page.body.more, true);
    assert.equal((await t.admin.delete('/accounts/new@a.test')).status, 200);
    assert.equal((await t.admin.get('/accounts/new@a.test')).status, 404);
  });

  test('send grants: grant and revoke send-as on a mailbox', async () => {
    const g = await t.admin.post('/accounts/helper@a.test/send-grants', {
      grantee: 'seller@a.test',
      permission: 'send-as',
    });
    assert.deepEqual(g.body, { granted: true });
    assert.deepEqual((await t.admin.get('/accounts/helper@a.test')).body.sendGrants, [
      { mailbox: 'helper@a.test', grantee: 'seller@a.test', permission: 'send-as' },
    ]);
    assert.deepEqual(
      (await t.admin.delete('/accounts/helper@a.test/send-grants?grantee=seller@a.test&permission=send-as'))
        .body,
      { revoked: true },
    );
  });

  test('groups: create sub-group, members, delegated admin', async () => {
    assert.equal((await t.admin.post('/groups', { name: 'east', parent: 'sales' })).status, 200);
    assert.equal((await t.admin.post('/groups/east/members', { accounts: ['seller@a.test'] })).status, 200);
    const east = await t.admin.get('/groups/east');
    assert.deepEqual(
      east.body.members.map((a: any) => a.address),
      ['seller@a.test'],
    );
    assert.equal(
      (await t.admin.post('/groups/east/members/remove', { accounts: ['seller@a.test'] })).status,
      200,
    );
    assert.equal((await t.admin.post('/groups/sales/members', { accounts: ['seller@a.test'] })).status, 200);
    assert.deepEqual((await t.admin.get('/groups/sales')).body.group.admins, ['lead@a.test']);
  });

  test('aliases: the Create Alias form (members, owners, restricted), members edited by an owner', async () => {
    const a = await t.admin.post('/aliases', {
      address: 'team@a.test',
      members: ['seller@a.test'],
      owners: ['helper@a.test'],
      restricted: true,
      allowedSenders: ['bob@b.test'],
      membersMaySend: true,
    });
    assert.equal(a.status, 200);
    assert.equal(a.body.restricted, true);
    const owner = await t.as('helper@a.test');
    assert.deepEqual(
      (await owner.post('/aliases/team@a.test/members', { members: ['lead@a.test'] })).body.members.sort(),
      ['lead@a.test', 'seller@a.test'],
    );
    assert.equal((await t.admin.patch('/aliases/team@a.test', { restricted: false })).body.restricted, false);
    assert.deepEqual(
      (await t.admin.post('/aliases/team@a.test/members/remove', { members: ['lead@a.test'] })).body.members,
      ['seller@a.test'],
    );
  });

  describe('authorization matrix', () => {
    test('a user sees and edits only themselves, within SELF_EDITABLE', async () => {
      assert.deepEqual(
        (await t.user.get('/accounts')).body.accounts.map((a: any) => a.address),
        ['seller@a.test'],
      );
      assert.equal((await t.user.get('/accounts/helper@a.test')).status, 403);
      assert.equal((await t.user.patch('/accounts/seller@a.test', { displayName: 'Me' })).status, 200);
      assert.equal((await t.user.patch('/accounts/seller@a.test', { role: 'server-admin' })).status, 403);
      assert.equal((await t.user.patch('/accounts/seller@a.test', { quotaBytes: null })).status, 403);
      assert.equal((await t.user.post('/accounts', { address: 'x@a.test', password: 'p' })).status, 403);
      assert.equal((await t.user.post('/domains', { name: 'mine.test' })).status, 403);
      assert.equal((await t.user.put('/accounts/helper@a.test/password', { password: 'owned' })).status, 403);
      for (const path of [
        '/config',
        '/queue/stats',
        '/queue',
        '/logs/top/senders',
        '/status',
        '/dkim',
        '/i18n/en/overrides',
      ])
        assert.equal((await t.user.get(path)).status, 403, path);
      assert.equal((await t.user.put('/config/smtp.max_message_size', { value: '1M' })).status, 403);
    });

    test('a domain admin manages a.test only', async () => {
      assert.deepEqual(
        (await t.domainAdmin.get('/domains')).body.map((x: any) => x.domain.name),
        ['a.test'],
      );
      assert.equal((await t.domainAdmin.get('/domains/b.test')).status, 403);
      assert.equal(
        (await t.domainAdmin.post('/accounts', { address: 'made@a.test', password: 'p' })).status,
        200,
      );
      assert.equal(
        (await t.domainAdmin.post('/accounts', { address: 'made@b.test', password: 'p' })).status,
        403,
      );
      assert.equal((await t.domainAdmin.get('/accounts/bob@b.test')).status, 403);
      assert.equal((await t.domainAdmin.put('/accounts/bob@b.test/enabled', { enabled: false })).status, 403);
      assert.equal((await t.domainAdmin.get('/accounts?domain=b.test')).status, 403);
      assert.equal(
        (await t.domainAdmin.post('/aliases', { address: 'x@b.test', members: ['bob@b.test'] })).status,
        403,
      );
      assert.equal(
        (await t.domainAdmin.patch('/accounts/made@a.test', { role: 'server-admin' })).status,
        403,
      );
      assert.equal((await t.domainAdmin.post('/domains', { name: 'own.test' })).status, 403);
      assert.equal((await t.domainAdmin.post('/dkim', { domain: 'b.test' })).status, 403);
      assert.equal((await t.domainAdmin.get('/accounts/bob@b.test/folders')).status, 403);
      assert.equal((await t.domainAdmin.get('/config')).status, 403);
    });

    test('a group admin reaches only accounts and sub-groups of their own group, whatever the ids', async () => {
      const mine = (await t.groupAdmin.get('/accounts')).body.accounts.map((a: any) => a.address).sort();
      assert.ok(mine.includes('seller@a.test') && !mine.includes('helper@a.test'), mine.join());
      assert.equal((await t.groupAdmin.get('/accounts/helper@a.test')).status, 403);
      assert.equal((await t.groupAdmin.patch('/accounts/helper@a.test', { displayName: 'x' })).status, 403);
      assert.equal(
        (await t.groupAdmin.put('/accounts/helper@a.test/password', { password: 'x' })).status,
        403,
      );
      const support = (await t.admin.get('/groups/support')).body.group.id;
      assert.equal((await t.groupAdmin.get(`/accounts?groupId=${support}`)).body.accounts.length, 0);
      assert.equal((await t.groupAdmin.patch('/accounts/seller@a.test', { groupId: support })).status, 403);
      assert.equal((await t.groupAdmin.get('/groups/support')).status, 403);
      assert.equal((await t.groupAdmin.post('/groups', { name: 'rogue', parent: 'support' })).status, 403);
      assert.equal((await t.groupAdmin.post('/groups', { name: 'sales-west', parent: 'sales' })).status, 200);
      assert.equal(
        (await t.groupAdmin.patch('/accounts/seller@a.test', { displayName: 'Managed' })).status,
        200,
      );
      assert.equal(
        (await t.groupAdmin.post('/accounts', { address: 'x@a.test', password: 'p' })).status,
        403,
      );
      const helperInbox = (await t.admin.get('/accounts/helper@a.test/folders')).body.find(
        (f: any) => f.name === 'INBOX',
      ).id;
      assert.equal(
        (await t.groupAdmin.get(`/accounts/seller@a.test/folders/${helperInbox}/acl`)).status,
        404,
      );
      assert.equal((await t.groupAdmin.get('/accounts/helper@a.test/folders')).status, 403);
    });

    test('the owner role cannot be raised by anyone below server admin', async () => {
      assert.equal(
        (await t.groupAdmin.patch('/accounts/seller@a.test', { role: 'domain-admin' })).status,
        403,
      );
      assert.equal((await t.as('dom@a.test', PASSWORD)).csrf !== undefined, true);
    });
  });
});
