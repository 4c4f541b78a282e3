import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermissionError } from '../core/errors.js';
import { authorize, can } from './authorization.js';
import type { Account, Actor, Alias, Role } from './types.js';
import { SYSTEM } from './types.js';

let nextId = 1;
function actor(role: Role, domain = 'a.test', groupId: number | null = null): Actor & { kind: 'account' } {
  const account = { id: nextId++, address: `${role}@${domain}`, domain, role, groupId } as Account;
  return { kind: 'account', account };
}

const server = actor('server-admin');
const domainA = actor('domain-admin', 'a.test');
const groupA = actor('group-admin', 'a.test', 10);
const user = actor('user', 'a.test', 11);
/** groupA administers group 10, which has sub-group 11; group 12 is elsewhere in a.test. */
const managed = new Set([10, 11]);
const none = new Set<number>();
const scope = (a: Actor) => (a === groupA ? managed : none);

test('account management: who may manage whom', () => {
  const targets = {
    userInSub: { id: 100, role: 'user' as Role, domain: 'a.test', groupId: 11 },
    userElsewhere: { id: 101, role: 'user' as Role, domain: 'a.test', groupId: 12 },
    userOtherDomain: { id: 102, role: 'user' as Role, domain: 'b.test', groupId: null },
    domainAdminA: { id: 103, role: 'domain-admin' as Role, domain: 'a.test', groupId: 11 },
  };
  const expected: Record<string, [Actor, boolean[]]> = {
    system: [SYSTEM, [true, true, true, true]],
    server: [server, [true, true, true, true]],
    domainA: [domainA, [true, true, false, true]],
    groupA: [groupA, [true, false, false, false]],
    user: [user, [false, false, false, false]],
  };
  for (const [name, [a, want]] of Object.entries(expected)) {
    assert.deepEqual(
      Object.values(targets).map((t) => can.manageAccount(a, t, scope(a))),
      want,
      name,
    );
  }
});

test('roles can be given only up to one’s own', () => {
  assert.deepEqual(
    (['user', 'group-admin', 'domain-admin', 'server-admin'] as Role[]).map((r) => can.assignRole(groupA, r)),
    [true, true, false, false],
  );
  assert.equal(can.assignRole(domainA, 'server-admin'), false);
  assert.equal(can.assignRole(server, 'server-admin'), true);
});

test('users change only their own password, name and forwarding', () => {
  const self = { ...user.account };
  assert.equal(
    can.updateAccount(
      user,
      self,
      { displayName: 'Me', forwardTo: ['x@y.test'], forwardKeepCopy: true },
      none,
    ),
    true,
  );
  for (const u of [
    { quotaBytes: 1 },
    { role: 'server-admin' as Role },
    { webmail: true },
    { receiveLocalOnly: false },
    { groupId: 10 },
  ]) {
    assert.equal(can.updateAccount(user, self, u, none), false, JSON.stringify(u));
  }
  assert.equal(can.setPassword(user, self, none), true);
  assert.equal(can.setPassword(user, { ...self, id: 999 }, none), false);
  assert.equal(
    can.updateAccount(
      domainA,
      { id: 5, role: 'user', domain: 'a.test', groupId: null },
      { role: 'server-admin' },
      none,
    ),
    false,
  );
});

test('groups: group admins manage strictly below their groups; domain admins their domain', () => {
  assert.equal(
    can.manageGroup(groupA, { parentId: 10, domain: 'a.test' }, managed),
    true,
    'a sub-group of their group',
  );
  assert.equal(can.manageGroup(groupA, { parentId: 11, domain: 'a.test' }, managed), true, 'deeper');
  assert.equal(can.manageGroup(groupA, { parentId: null, domain: 'a.test' }, managed), false, 'top level');
  assert.equal(can.manageGroup(groupA, { parentId: 12, domain: 'a.test' }, managed), false, 'elsewhere');
  assert.equal(can.manageGroup(domainA, { parentId: null, domain: 'a.test' }, none), true);
  assert.equal(can.manageGroup(domainA, { parentId: null, domain: 'b.test' }, none), false);
  assert.equal(can.manageGroup(domainA, { parentId: null, domain: null }, none), false, 'server-wide groups');
  assert.equal(can.manageGroup(user, { parentId: 11, domain: 'a.test' }, none), false);
});

test('domains and aliases', () => {
  assert.deepEqual(
    [SYSTEM, server, domainA, groupA, user].map((a) => can.manageDomains(a)),
    [true, true, false, false, false],
  );
  assert.deepEqual(
    [server, domainA, groupA, user].map((a) => can.viewDomain(a, 'a.test')),
    [true, true, false, false],
  );
  assert.equal(can.viewDomain(domainA, 'b.test'), false);
  const alias = { owners: [user.account.address] } as Alias;
  assert.deepEqual(
    [server, domainA, groupA, user].map((a) => can.manageAlias(a, 'a.test')),
    [true, true, false, false],
  );
  assert.deepEqual(
    [server, domainA, groupA, user].map((a) => can.editAliasMembers(a, alias, 'a.test')),
    [true, true, false, true],
  );
  assert.equal(can.editAliasMembers(domainA, { owners: [] } as unknown as Alias, 'b.test'), false);
});

test('authorize throws a PermissionError naming actor and action', () => {
  assert.throws(
    () => authorize(false, user, 'remove domains'),
    (e: unknown) => e instanceof PermissionError && e.message === 'user@a.test may not remove domains',
  );
  assert.doesNotThrow(() => authorize(true, user, 'x'));
});
