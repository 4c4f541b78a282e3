import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PermissionError } from '../../src/core/errors.js';
import type { Directory } from '../../src/directory/directory.js';
import type { Actor } from '../../src/directory/types.js';
import { forEachBackend } from '../store/backends.js';
import { openDirectory } from './support.js';

async function as(d: Directory, address: string): Promise<Actor> {
  return { kind: 'account', account: (await d.getAccount(address))! };
}

const denied = (p: Promise<unknown>) => assert.rejects(p, PermissionError);

forEachBackend('directory authorization', (backend) => {
  it('enforces each role through the service', async () => {
    const { directory: d } = await openDirectory(backend);
    await d.addDomain({ name: 'a.test' });
    await d.addDomain({ name: 'b.test' });
    const corp = await d.addGroup({ name: 'Corp', domain: 'a.test' });
    const team = await d.addGroup({ name: 'Team', parent: 'Corp' });
    await d.addGroup({ name: 'Other', domain: 'a.test' });
    await d.addAccount({ address: 'dadmin@a.test', password: 'x', role: 'domain-admin' });
    await d.addAccount({ address: 'gadmin@a.test', password: 'x', groupId: corp.id });
    await d.addGroupAdmin('Corp', 'gadmin@a.test');
    await d.addAccount({ address: 'member@a.test', password: 'x', groupId: team.id });
    await d.addAccount({ address: 'outsider@a.test', password: 'x' });
    await d.addAccount({ address: 'far@b.test', password: 'x' });
    await d.addAlias({ address: 'list@a.test', members: ['member@a.test'], owners: ['member@a.test'] });
    const dadmin = await as(d, 'dadmin@a.test');
    const gadmin = await as(d, 'gadmin@a.test');
    const member = await as(d, 'member@a.test');

    // domain admin: own domain only, never domains themselves or higher roles
    await d.addAccount({ address: 'new1@a.test', password: 'x' }, dadmin);
    await denied(d.addAccount({ address: 'new@b.test', password: 'x' }, dadmin));
    await denied(d.addAccount({ address: 'boss@a.test', password: 'x', role: 'server-admin' }, dadmin));
    await denied(d.addDomain({ name: 'c.test' }, dadmin));
    await denied(d.removeAccount('far@b.test', dadmin));
    await denied(d.domainUsage('b.test', dadmin));
    assert.deepEqual(
      (await d.listDomains(dadmin)).map((x) => x.name),
      ['a.test'],
    );
    assert.equal(
      (await d.listAccounts({}, dadmin)).every((a) => a.domain === 'a.test'),
      true,
    );

    // group admin: accounts and sub-groups inside their subtree only
    await d.addAccount({ address: 'new2@a.test', password: 'x', groupId: team.id }, gadmin);
    await d.setPassword('member@a.test', 'reset', gadmin);
    await d.addGroup({ name: 'Squad', parent: 'Team' }, gadmin);
    await denied(d.addAccount({ address: 'new3@a.test', password: 'x' }, gadmin));
    await denied(d.setEnabled('outsider@a.test', false, gadmin));
    await denied(d.addGroup({ name: 'Top' }, gadmin));
    await denied(d.addGroupAdmin('Corp', 'member@a.test', gadmin));
    await denied(d.addGroupMembers('Team', ['outsider@a.test'], gadmin));
    await denied(d.updateAccount('member@a.test', { role: 'domain-admin' }, gadmin));
    await denied(d.addAlias({ address: 'x@a.test', members: ['y@b.test'] }, gadmin));
    assert.deepEqual((await d.listAccounts({}, gadmin)).map((a) => a.address).sort(), [
      'gadmin@a.test',
      'member@a.test',
      'new2@a.test',
    ]);
    assert.deepEqual((await d.listGroups(gadmin)).map((g) => g.name).sort(), ['Corp', 'Squad', 'Team']);

    // user: self only, and members of an alias they own
    await d.setPassword('member@a.test', 'mine', member);
    await d.updateAccount('member@a.test', { displayName: 'Me', forwardTo: ['me@b.test'] }, member);
    await denied(d.updateAccount('member@a.test', { quotaBytes: null }, member));
    await denied(d.setPassword('outsider@a.test', 'x', member));
    await denied(d.showAccount('outsider@a.test', member));
    await denied(d.removeAccount('member@a.test', member));
    await d.addAliasMembers('list@a.test', ['friend@b.test'], member);
    await denied(d.removeAlias('list@a.test', member));
    await d.grantSend('member@a.test', 'outsider@a.test', 'send-on-behalf', member);
    await denied(d.grantSend('outsider@a.test', 'member@a.test', 'send-as', member));
    assert.deepEqual(
      (await d.listAccounts({}, member)).map((a) => a.address),
      ['member@a.test'],
    );
    assert.deepEqual(
      (await d.listAliases({}, member)).map((a) => a.address),
      ['list@a.test'],
    );
    await assert.rejects(d.addDomain({ name: 'c.test' }, member), {
      message: 'member@a.test may not add domains',
    });
  });
});
