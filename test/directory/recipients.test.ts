import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Directory } from '../../src/directory/directory.js';
import type { Recipient } from '../../src/directory/types.js';
import { forEachBackend } from '../store/backends.js';
import { openDirectory } from './support.js';

/** A recipient as a short string, so one assertion shows the whole resolution. */
function show(r: Recipient): string {
  if (r.kind === 'account')
    return `account ${r.account.address}${r.detail === undefined ? '' : ` +${r.detail}`}`;
  if (r.kind === 'alias') return `alias ${r.alias.address} -> ${r.alias.members.join(',')}`;
  return r.kind;
}

async function setup(d: Directory): Promise<void> {
  await d.addDomain({ name: 'example.com', catchAll: 'catch@example.com' });
  await d.addDomain({ name: 'example.net', aliasOf: 'example.com' });
  await d.addDomain({ name: 'example.org' });
  await d.addDomain({ name: 'forward.test', catchAll: 'all@remote.test' });
  await d.addAccount({ address: 'alice@example.com', password: 'x' });
  await d.addAccount({ address: 'catch@example.com', password: 'x' });
  await d.addAccount({ address: 'bob@example.org', password: 'x' });
  await d.addAlias({
    address: 'team@example.com',
    members: ['alice@example.com', 'bob@example.org', 'ext@remote.test'],
  });
}

forEachBackend('recipient resolution', (backend) => {
  it('resolves every kind of address', async () => {
    const { directory: d } = await openDirectory(backend);
    await setup(d);
    const cases: [string, string][] = [
      ['alice@example.com', 'account alice@example.com'],
      ['ALICE@Example.COM', 'account alice@example.com'],
      ['alice@example.net', 'account alice@example.com'],
      ['alice+Lists@example.com', 'account alice@example.com +Lists'],
      ['alice+x@example.net', 'account alice@example.com +x'],
      ['team@example.com', 'alias team@example.com -> alice@example.com,bob@example.org,ext@remote.test'],
      ['team+x@example.net', 'alias team@example.com -> alice@example.com,bob@example.org,ext@remote.test'],
      ['nobody@example.com', 'account catch@example.com'],
      ['nobody@example.net', 'account catch@example.com'],
      ['nobody@example.org', 'unknown-local'],
      ['bob+tag@example.org', 'account bob@example.org +tag'],
      ['anyone@forward.test', 'alias anyone@forward.test -> all@remote.test'],
      ['someone@remote.test', 'remote'],
    ];
    for (const [address, expected] of cases)
      assert.equal(show(await d.resolveRecipient(address)), expected, address);
    await assert.rejects(
      d.resolveRecipient('not an address'),
      (e: { smtp?: { code: number } }) => e.smtp?.code === 553,
    );
  });

  it('sees an account another process added at once', async () => {
    const { directory: d, other } = await openDirectory(backend);
    await setup(d);
    assert.equal(show(await d.resolveRecipient('new@example.org')), 'unknown-local');
    await other().addAccount({ address: 'new@example.org', password: 'x' });
    assert.equal(show(await d.resolveRecipient('new@example.org')), 'account new@example.org');
  });

  it('expands nested aliases, once each, and stops at loops and depth', async () => {
    const { directory: d } = await openDirectory(backend);
    await setup(d);
    await d.addAlias({
      address: 'all@example.com',
      members: ['team@example.net', 'alice+all@example.com', 'sales@example.com', 'gone@example.org'],
    });
    await d.addAlias({
      address: 'sales@example.com',
      members: ['all@example.com', 'team@example.com', 'bob@example.org'],
    });
    assert.deepEqual((await d.expandAlias('all@example.com')).sort(), [
      'alice+all@example.com',
      'alice@example.com',
      'bob@example.org',
      'ext@remote.test',
    ]);
    assert.deepEqual((await d.expandAlias('sales@example.com')).sort(), [
      'alice+all@example.com',
      'alice@example.com',
      'bob@example.org',
      'ext@remote.test',
    ]);
    await assert.rejects(d.expandAlias('alice@example.com'), {
      message: 'alice@example.com is not an alias',
    });
    for (let i = 0; i < 11; i++)
      await d.addAlias({
        address: `n${i}@example.com`,
        members: [i === 10 ? 'alice@example.com' : `n${i + 1}@example.com`],
      });
    assert.deepEqual(await d.expandAlias('n1@example.com'), ['alice@example.com'], '10 levels are fine');
    await assert.rejects(d.expandAlias('n0@example.com'), (e: Error & { smtp?: { enhanced: string } }) => {
      assert.equal(e.message, 'alias n0@example.com nests deeper than 10 levels');
      assert.equal(e.smtp?.enhanced, '5.4.6');
      return true;
    });
  });

  it('tells own addresses, send-as and send-on-behalf apart', async () => {
    const { directory: d } = await openDirectory(backend);
    await setup(d);
    await d.addGroup({ name: 'Staff', domain: 'example.com' });
    await d.addGroup({ name: 'Desk', parent: 'Staff' });
    const desk = await d.getGroup('Desk');
    await d.addAccount({ address: 'shared@example.com', password: 'x' });
    const carol = await d.addAccount({ address: 'carol@example.com', password: 'x', groupId: desk.id });
    const alice = (await d.getAccount('alice@example.com'))!;
    const may = (a: typeof alice, from: string) => d.mayUseAddress(a, from);
    assert.equal(await may(alice, 'alice@example.com'), 'own');
    assert.equal(await may(alice, 'Alice@example.net'), 'own');
    assert.equal(await may(alice, 'alice+x@example.com'), 'own');
    assert.equal(await may(alice, 'team@example.com'), null, 'aliases need a grant');
    assert.equal(await may(alice, 'shared@example.com'), null);
    assert.equal(await may(alice, 'alice@remote.test'), null);
    assert.equal(await may(alice, 'garbage'), null);
    assert.equal(await d.grantSend('shared@example.com', 'alice@example.com', 'send-on-behalf'), true);
    assert.equal(await d.grantSend('shared@example.com', 'alice@example.com', 'send-on-behalf'), false);
    assert.equal(await may(alice, 'shared@example.net'), 'send-on-behalf');
    await d.grantSend('shared@example.com', 'alice@example.com', 'send-as');
    assert.equal(await may(alice, 'shared@example.com'), 'send-as', 'send-as wins over on-behalf');
    await d.grantSend('team@example.com', '@Staff', 'send-as');
    assert.equal(await may(carol, 'team@example.com'), 'send-as', 'a group grant covers sub-groups');
    assert.equal(await may(carol, 'team+x@example.com'), 'send-as');
    assert.equal(await may(alice, 'team@example.com'), null);
    assert.deepEqual(await d.listSendGrants('team@example.net'), [
      { mailbox: 'team@example.com', permission: 'send-as', grantee: { kind: 'group', name: 'Staff' } },
    ]);
    assert.equal(await d.revokeSend('team@example.com', '@Staff', 'send-as'), true);
    assert.equal(await d.revokeSend('team@example.com', '@Staff', 'send-as'), false);
    assert.equal(await may(carol, 'team@example.com'), null);
    await assert.rejects(d.grantSend('nobody@example.com', 'alice@example.com', 'send-as'), {
      message: 'mailbox or alias nobody@example.com not found',
    });
    await assert.rejects(d.grantSend('team@example.com', '@Nope', 'send-as'), {
      message: 'group Nope not found',
    });
  });
});
