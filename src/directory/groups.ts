import { ConflictError, NotFoundError, OperatorError } from '../core/errors.js';
import { listAccounts, updateAccount } from '../store/directory/account-repo.js';
import * as repo from '../store/directory/group-repo.js';
import type { SqlDb } from '../store/sql.js';
import type { Accounts } from './accounts.js';
import { authorize, can } from './authorization.js';
import type { Domains } from './domains.js';
import { groupName } from './names.js';
import { managedGroups } from './scope.js';
import type { Account, Actor, Group, GroupInput } from './types.js';
import { SYSTEM } from './types.js';

/** Groups (organisational units): a tree per domain, with delegated group admins. */
export class Groups {
  constructor(
    private readonly db: SqlDb,
    private readonly domains: Domains,
    private readonly accounts: Accounts,
  ) {}

  async require(name: string): Promise<Group> {
    const g = await repo.findGroup(this.db, name.trim());
    if (!g) throw new NotFoundError(`group ${name.trim()}`);
    return g;
  }

  async get(name: string, actor: Actor = SYSTEM): Promise<Group> {
    const g = await this.require(name);
    authorize(await this.mayView(actor, g), actor, `see group ${g.name}`);
    return g;
  }

  async list(actor: Actor = SYSTEM): Promise<Group[]> {
    const all = await repo.listGroups(this.db);
    const managed = await managedGroups(this.db, actor);
    return all.filter(
      (g) => can.viewGroup(actor, g, managed) || (actor.kind === 'account' && actor.account.groupId === g.id),
    );
  }

  async add(input: GroupInput, actor: Actor = SYSTEM): Promise<Group> {
    const name = groupName(input.name);
    const parent = input.parent ? await this.require(input.parent) : undefined;
    let domain = input.domain ? (await this.domains.requireReal(input.domain)).name : null;
    if (parent && domain !== null && parent.domain !== domain)
      throw new OperatorError(`a sub-group belongs to its parent's domain (${parent.domain ?? 'none'})`);
    if (parent) domain = parent.domain;
    else if (domain === null && actor.kind === 'account' && actor.account.role === 'domain-admin')
      domain = actor.account.domain;
    const parentId = parent?.id ?? null;
    authorize(
      can.manageGroup(actor, { parentId, domain }, await managedGroups(this.db, actor)),
      actor,
      parent ? `add groups under ${parent.name}` : 'add top-level groups',
    );
    return this.db.tx(async (db) => {
      if (await repo.findGroup(db, name)) throw new ConflictError(`group ${name} already exists`);
      const domainId = domain === null ? null : (await this.domains.require(domain, db)).id;
      return (await repo.findGroupById(db, await repo.insertGroup(db, { name, parentId, domainId })))!;
    });
  }

  /** Removes an empty group; members and sub-groups must be moved or removed first. */
  async remove(name: string, actor: Actor = SYSTEM): Promise<void> {
    const g = await this.require(name);
    authorize(
      can.manageGroup(actor, g, await managedGroups(this.db, actor)),
      actor,
      `remove group ${g.name}`,
    );
    await this.db.tx(async (db) => {
      const c = await repo.groupContents(db, g.id);
      if (c.accounts || c.groups) {
        const what = [
          c.accounts && `${c.accounts} account${c.accounts === 1 ? '' : 's'}`,
          c.groups && `${c.groups} sub-group${c.groups === 1 ? '' : 's'}`,
        ];
        throw new ConflictError(
          `group ${g.name} still has ${what.filter(Boolean).join(' and ')}; move or remove them first`,
        );
      }
      await repo.deleteGroup(db, g.id);
    });
  }

  /**
   * Makes `address` an admin of the group. A plain user becomes a group admin by this; higher
   * roles keep theirs. Returns whether the account's role was raised.
   */
  async addAdmin(name: string, address: string, actor: Actor = SYSTEM): Promise<{ promoted: boolean }> {
    const { g, a } = await this.adminChange(name, address, actor, 'appoint admins of');
    if (g.domain !== null && a.domain !== g.domain)
      throw new OperatorError(`${a.address} is not in domain ${g.domain} of group ${g.name}`);
    return this.db.tx(async (db) => {
      if (!(await repo.addGroupAdmin(db, g.id, a.id)))
        throw new ConflictError(`${a.address} is already an admin of group ${g.name}`);
      if (a.role !== 'user') return { promoted: false };
      await updateAccount(db, a.id, { role: 'group-admin' });
      return { promoted: true };
    });
  }

  /** Removes the appointment; the account keeps its role (change it with `user set --role`). */
  async removeAdmin(name: string, address: string, actor: Actor = SYSTEM): Promise<void> {
    const { g, a } = await this.adminChange(name, address, actor, 'remove admins of');
    if (!(await repo.removeGroupAdmin(this.db, g.id, a.id)))
      throw new NotFoundError(`${a.address} as an admin of group ${g.name}`);
  }

  async members(name: string, actor: Actor = SYSTEM): Promise<Account[]> {
    const g = await this.get(name, actor);
    return listAccounts(this.db, { groupId: g.id });
  }

  /** Puts accounts into the group, out of whichever group they were in. */
  async addMembers(name: string, addresses: string[], actor: Actor = SYSTEM): Promise<void> {
    const g = await this.require(name);
    for (const address of addresses) await this.accounts.update(address, { groupId: g.id }, actor);
  }

  /** Takes accounts out of the group (they then belong to none). */
  async removeMembers(name: string, addresses: string[], actor: Actor = SYSTEM): Promise<void> {
    const g = await this.require(name);
    for (const address of addresses) {
      const a = await this.accounts.require(address);
      if (a.groupId !== g.id) throw new OperatorError(`${a.address} is not a member of group ${g.name}`);
      await this.accounts.update(a.address, { groupId: null }, actor);
    }
  }

  private async adminChange(
    name: string,
    address: string,
    actor: Actor,
    action: string,
  ): Promise<{ g: Group; a: Account }> {
    const g = await this.require(name);
    const a = await this.accounts.require(address);
    const managed = await managedGroups(this.db, actor);
    authorize(
      can.manageGroup(actor, g, managed) && can.manageAccount(actor, a, managed),
      actor,
      `${action} group ${g.name}`,
    );
    return { g, a };
  }

  private async mayView(actor: Actor, g: Group): Promise<boolean> {
    return (
      can.viewGroup(actor, g, await managedGroups(this.db, actor)) ||
      (actor.kind === 'account' && actor.account.groupId === g.id)
    );
  }
}
