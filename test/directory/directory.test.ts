import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConflictError, LimitError, NotFoundError, OperatorError } from '../../src/core/errors.js';
import { forEachBackend } from '../store/backends.js';
import { openDirectory } from './support.js';

const G = 1024 ** 3;

forEachBackend('directory records', (backend) => {
  it('adds domains and domain aliases, and refuses duplicates and chains', async () => {
    const { directory: d } = await openDirectory(backend);
    const dom = await d.addDomain({
      name: 'Example.COM.',
      maxAccounts: 5,
      catchAll: 'Postmaster@example.com',
    });
    assert.equal(dom.name, 'example.com');
    assert.equal(dom.catchAll, 'postmaster@example.com');
    assert.equal((await d.addDomain({ name: 'example.net', aliasOf: 'example.com' })).aliasOf, 'example.com');
    assert.equal(await d.isLocalDomain('EXAMPLE.net'), true);
    assert.equal(await d.isLocalDomain('example.org'), false);
    await assert.rejects(d.addDomain({ name: 'example.com' }), {
      name: 'ConflictError',
      message: 'domain example.com already exists',
    });
    await assert.rejects(d.addDomain({ name: 'example.org', aliasOf: 'example.net' }), {
      message: 'example.net is itself an alias of example.com; point example.org at example.com',
    });
    await assert.rejects(d.addDomain({ name: 'example.org', aliasOf: 'nowhere.test' }), NotFoundError);
    await assert.rejects(d.addDomain({ name: 'bad_domain..x' }), {
      message: '"bad_domain..x" is not a valid domain name',
    });
    assert.deepEqual(await d.domainAliases('example.com'), ['example.net']);
    await assert.rejects(d.removeDomain('example.com'), {
      message: 'domain example.com still has 1 domain alias; remove them first',
    });
    await d.removeDomain('example.net');
    await d.removeDomain('example.com');
    assert.deepEqual(await d.listDomains(), []);
  });

  it('adds accounts within the domain limits and reports usage', async () => {
    const { directory: d } = await openDirectory(backend);
    await d.addDomain({ name: 'example.com', maxAccounts: 2, maxAliases: 1, maxStorage: G });
    await d.addDomain({ name: 'example.net', aliasOf: 'example.com' });
    const a = await d.addAccount({
      address: 'Alice@Example.com',
      password: 'pw-alice',
      quotaBytes: G / 2,
      displayName: 'Alice',
    });
    assert.equal(a.address, 'alice@example.com');
    assert.equal(a.role, 'user');
    assert.equal(a.webmail, true);
    await assert.rejects(d.addAccount({ address: 'alice@example.com', password: 'x' }), {
      message: 'account alice@example.com already exists',
    });
    await assert.rejects(
      d.addAccount({ address: 'bob@example.com', password: 'x', quotaBytes: G }),
      LimitError,
    );
    await d.addAccount({ address: 'bob@example.com', password: 'x' });
    await assert.rejects(d.addAccount({ address: 'carol@example.com', password: 'x' }), {
      name: 'LimitError',
      message: 'domain example.com has reached its limit of 2 accounts',
    });
    await assert.rejects(d.addAccount({ address: 'carol@example.net', password: 'x' }), {
      message: 'example.net is an alias of example.com; use example.com instead',
    });
    await assert.rejects(d.addAccount({ address: 'carol@nowhere.test', password: 'x' }), {
      message: 'domain nowhere.test not found',
    });
    await assert.rejects(d.addAccount({ address: 'bad address', password: 'x' }), {
      message: '"bad address" is not a valid address',
    });
    await assert.rejects(d.addAccount({ address: 'a+b@example.com', password: 'x' }), OperatorError);
    await d.addAlias({ address: 'team@example.com', members: ['alice@example.com'] });
    await assert.rejects(d.addAlias({ address: 'more@example.com', members: ['bob@example.com'] }), {
      message: 'domain example.com has reached its limit of 1 alias',
    });
    await d.setUsedBytes(a.id, 1000);
    assert.deepEqual(await d.domainUsage('example.net'), {
      accounts: { used: 2, max: 2 },
      aliases: { used: 1, max: 1 },
      storage: { used: 1000, max: G, allocated: G / 2 },
    });
    // The list with usage (three queries for all domains) answers as usage does per domain, an empty one too.
    await d.addDomain({ name: 'empty.test', maxAccounts: 3 });
    const listed = await d.listDomainsWithUsage();
    assert.deepEqual(
      listed.map((x) => x.domain.name),
      ['empty.test', 'example.com', 'example.net'],
    );
    for (const { domain, usage } of listed)
      assert.deepEqual(usage, await d.domainUsage(domain.name), domain.name);
    assert.deepEqual(listed[0]!.usage.accounts, { used: 0, max: 3 });
  });

  it('finds accounts by domain alias, changes and removes them', async () => {
    const { directory: d } = await openDirectory(backend);
    await d.addDomain({ name: 'example.com', maxStorage: G });
    await d.addDomain({ name: 'example.net', aliasOf: 'example.com' });
    await d.addAccount({ address: 'root@example.com', password: 'x', role: 'server-admin' });
    const a = await d.addAccount({ address: 'alice@example.com', password: 'x' });
    assert.equal((await d.getAccount('ALICE@example.net'))?.id, a.id);
    assert.equal((await d.getAccountById(a.id))?.address, 'alice@example.com');
    assert.equal(await d.getAccount('nobody@example.com'), undefined);
    assert.equal(await d.getAccount('not an address'), undefined);
    const u = await d.updateAccount('alice@example.com', {
      receiveLocalOnly: true,
      webmail: false,
      forwardTo: ['X@Remote.test'],
      forwardKeepCopy: false,
      quotaBytes: G,
    });
    assert.deepEqual(
      [u.receiveLocalOnly, u.webmail, u.forwardTo, u.forwardKeepCopy, u.quotaBytes],
      [true, false, ['X@remote.test'.toLowerCase()], false, G],
    );
    await assert.rejects(d.updateAccount('alice@example.com', { quotaBytes: 2 * G }), LimitError);
    assert.equal((await d.setEnabled('alice@example.com', false)).enabled, false);
    await assert.rejects(d.removeAccount('root@example.com'), {
      name: 'ConflictError',
      message: 'root@example.com is the last enabled server admin; make another one first',
    });
    await assert.rejects(d.setEnabled('root@example.com', false), ConflictError);
    await d.addAlias({ address: 'team@example.com', members: ['alice@example.com', 'x@remote.test'] });
    await d.removeAccount('alice@example.com');
    assert.equal(await d.getAccount('alice@example.com'), undefined);
    assert.deepEqual((await d.getAlias('team@example.com')).members, ['x@remote.test']);
    await assert.rejects(d.removeAccount('alice@example.com'), {
      message: 'account alice@example.com not found',
    });
  });

  it('keeps groups as a tree and removes only empty ones', async () => {
    const { directory: d } = await openDirectory(backend);
    await d.addDomain({ name: 'example.com' });
    await d.addDomain({ name: 'example.org' });
    const sales = await d.addGroup({ name: 'Sales', domain: 'example.com' });
    const eu = await d.addGroup({ name: 'EU', parent: 'Sales' });
    assert.equal(eu.parentId, sales.id);
    assert.equal(eu.domain, 'example.com');
    await assert.rejects(d.addGroup({ name: 'Sales' }), { message: 'group Sales already exists' });
    await assert.rejects(d.addGroup({ name: 'X', parent: 'Sales', domain: 'example.org' }), {
      message: "a sub-group belongs to its parent's domain (example.com)",
    });
    await assert.rejects(d.addGroup({ name: 'X', parent: 'Nope' }), { message: 'group Nope not found' });
    const bob = await d.addAccount({ address: 'bob@example.com', password: 'x', groupId: eu.id });
    await d.addAccount({ address: 'eve@example.org', password: 'x' });
    await assert.rejects(d.addGroupMembers('EU', ['eve@example.org']), {
      message: 'group EU belongs to domain example.com, not example.org',
    });
    assert.deepEqual(await d.addGroupAdmin('Sales', 'bob@example.com'), { promoted: true });
    assert.equal((await d.getAccount('bob@example.com'))?.role, 'group-admin');
    assert.deepEqual((await d.getGroup('Sales')).admins, ['bob@example.com']);
    await assert.rejects(d.addGroupAdmin('Sales', 'bob@example.com'), ConflictError);
    await assert.rejects(d.removeGroup('Sales'), {
      message: 'group Sales still has 1 sub-group; move or remove them first',
    });
    await assert.rejects(d.removeGroup('EU'), {
      message: 'group EU still has 1 account; move or remove them first',
    });
    assert.deepEqual(
      (await d.groupMembers('EU')).map((a) => a.id),
      [bob.id],
    );
    await d.removeGroupMembers('EU', ['bob@example.com']);
    await assert.rejects(d.removeGroupMembers('EU', ['bob@example.com']), {
      message: 'bob@example.com is not a member of group EU',
    });
    await d.removeGroup('EU');
    await d.removeGroupAdmin('Sales', 'bob@example.com');
    await d.removeGroup('Sales');
    assert.deepEqual(await d.listGroups(), []);
  });

  it('keeps alias members, owners and allowed senders', async () => {
    const { directory: d } = await openDirectory(backend);
    await d.addDomain({ name: 'example.com' });
    await d.addAccount({ address: 'owner@example.com', password: 'x' });
    const a = await d.addAlias({
      address: 'list@example.com',
      members: ['A@remote.test', 'a@remote.test'],
      owners: ['owner@example.com'],
      restricted: true,
      allowedSenders: ['boss@remote.test'],
    });
    assert.deepEqual(
      [a.members, a.owners, a.restricted, a.allowedSenders, a.membersMaySend],
      [['a@remote.test'], ['owner@example.com'], true, ['boss@remote.test'], true],
    );
    await assert.rejects(d.addAlias({ address: 'owner@example.com', members: ['x@y.test'] }), {
      message: 'owner@example.com is already an account',
    });
    await assert.rejects(d.addAccount({ address: 'list@example.com', password: 'x' }), {
      message: 'list@example.com is already an alias',
    });
    await assert.rejects(d.addAlias({ address: 'self@example.com', members: ['self@example.com'] }), {
      message: 'alias self@example.com cannot be a member of itself',
    });
    await assert.rejects(d.addAliasMembers('list@example.com', ['a@remote.test']), {
      message: 'a@remote.test is already a member of list@example.com',
    });
    assert.deepEqual((await d.addAliasMembers('list@example.com', ['b@remote.test'])).members, [
      'a@remote.test',
      'b@remote.test',
    ]);
    await assert.rejects(d.removeAliasMembers('list@example.com', ['c@remote.test']), {
      message: 'c@remote.test is not a member of list@example.com',
    });
    assert.deepEqual((await d.removeAliasMembers('list@example.com', ['a@remote.test'])).members, [
      'b@remote.test',
    ]);
    assert.equal(d.maySendToAlias(a, 'boss@remote.test'), true);
    assert.equal(d.maySendToAlias(a, 'A@remote.test'), true, 'members may send');
    assert.equal(d.maySendToAlias(a, 'stranger@remote.test'), false);
    const closed = await d.updateAlias('list@example.com', { membersMaySend: false, allowedSenders: [] });
    assert.equal(d.maySendToAlias(closed, 'b@remote.test'), false);
    await d.removeAlias('list@example.com');
    await assert.rejects(d.getAlias('list@example.com'), { message: 'alias list@example.com not found' });
  });
});
