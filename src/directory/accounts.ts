import { ConflictError, NotFoundError, OperatorError } from '../core/errors.js';
import * as repo from '../store/directory/account-repo.js';
import { findAlias, findAliasMemberships, removeMembers } from '../store/directory/alias-repo.js';
import { findGroupById } from '../store/directory/group-repo.js';
import { deleteGrantsOn } from '../store/directory/send-grant-repo.js';
import type { SqlDb } from '../store/sql.js';
import { authorize, can, ROLES } from './authorization.js';
import type { Domains } from './domains.js';
import { canonicalAddress, mailboxAddress } from './names.js';
import { hashPassword } from './password.js';
import { scramCredentials } from './scram.js';
import { managedGroups } from './scope.js';
import type { Account, AccountFilter, AccountInput, AccountUpdate, Actor, Role } from './types.js';
import { SYSTEM } from './types.js';

/** Accounts: creation within the domain's limits, changes, passwords, enabling. */
export class Accounts {
  constructor(
    private readonly db: SqlDb,
    private readonly domains: Domains,
  ) {}

  /** The account at `address`, also when written with a domain alias; undefined when none. */
  async find(address: string): Promise<Account | undefined> {
    const mailbox = await this.domains.canonicalMailbox(address);
    return mailbox ? repo.findAccount(this.db, mailbox) : undefined;
  }

  async require(address: string): Promise<Account> {
    const a = await this.find(address);
    if (!a) throw new NotFoundError(`account ${address}`);
    return a;
  }

  async findById(id: number): Promise<Account | undefined> {
    return repo.findAccountById(this.db, id);
  }

  async get(address: string, actor: Actor = SYSTEM): Promise<Account> {
    const a = await this.require(address);
    authorize(
      can.viewAccount(actor, a, await managedGroups(this.db, actor)),
      actor,
      `see account ${a.address}`,
    );
    return a;
  }

  /** The accounts the actor may see, narrowed by the filter. */
  async list(filter: AccountFilter = {}, actor: Actor = SYSTEM): Promise<Account[]> {
    if (filter.domain !== undefined)
      filter = { ...filter, domain: (await this.domains.require(filter.domain)).name };
    if (actor.kind === 'system' || actor.account.role === 'server-admin')
      return repo.listAccounts(this.db, filter);
    const me = actor.account;
    if (me.role === 'domain-admin') {
      authorize(
        filter.domain === undefined || filter.domain === me.domain,
        actor,
        `list accounts of ${filter.domain}`,
      );
      return repo.listAccounts(this.db, { ...filter, domain: me.domain });
    }
    if (me.role === 'group-admin')
      return repo.listAccounts(this.db, { ...filter, groupIds: [...(await managedGroups(this.db, actor))] });
    const self = await repo.findAccountById(this.db, me.id);
    const matches =
      self &&
      (filter.domain ?? self.domain) === self.domain &&
      (filter.groupId ?? self.groupId) === self.groupId &&
      (filter.role ?? self.role) === self.role;
    return matches && !filter.offset ? [self] : [];
  }

  async add(input: AccountInput, actor: Actor = SYSTEM): Promise<Account> {
    const addr = mailboxAddress(input.address);
    const role = checkRole(input.role ?? 'user');
    if (!input.password) throw new OperatorError('the password must not be empty');
    const domain = await this.domains.requireReal(addr.domain);
    const groupId = input.groupId ?? null;
    if (groupId !== null) await this.checkGroup(groupId, domain.name);
    const groups = await managedGroups(this.db, actor);
    authorize(
      can.manageAccount(actor, { role, domain: domain.name, groupId }, groups) && can.assignRole(actor, role),
      actor,
      `add ${role} accounts here`,
    );
    const forwardTo = (input.forwardTo ?? []).map((f) => canonicalAddress(f).address);
    const [passwordHash, scram] = await Promise.all([
      hashPassword(input.password),
      scramCredentials(input.password),
    ]);
    return this.db.tx(async (db) => {
      await this.checkFree(db, addr.address);
      await this.domains.checkRoom(db, domain, 'accounts', input.quotaBytes ?? 0);
      const id = await repo.insertAccount(db, {
        address: addr.address,
        domainId: domain.id,
        displayName: input.displayName ?? '',
        passwordHash,
        role,
        enabled: true,
        quotaBytes: input.quotaBytes ?? null,
        quotaMessages: input.quotaMessages ?? null,
        receiveLocalOnly: input.receiveLocalOnly ?? false,
        webmail: input.webmail ?? true,
        groupId,
        forwardTo,
        forwardKeepCopy: input.forwardKeepCopy ?? true,
      });
      await repo.setScramCredentials(db, id, scram);
      return (await repo.findAccountById(db, id))!;
    });
  }

  async update(address: string, u: AccountUpdate, actor: Actor = SYSTEM): Promise<Account> {
    const a = await this.require(address);
    const groups = await managedGroups(this.db, actor);
    if (u.role !== undefined) checkRole(u.role);
    authorize(
      can.updateAccount(actor, a, u, groups),
      actor,
      `change ${Object.keys(u).join(', ')} of ${a.address}`,
    );
    if (u.groupId !== undefined && u.groupId !== a.groupId) {
      if (u.groupId !== null) await this.checkGroup(u.groupId, a.domain);
      authorize(
        can.manageAccount(actor, { ...a, groupId: u.groupId }, groups),
        actor,
        `move ${a.address} to that group`,
      );
    }
    if (u.role !== undefined && u.role !== 'server-admin' && a.role === 'server-admin')
      await this.checkNotLastServerAdmin(a);
    const update = {
      ...u,
      ...(u.forwardTo ? { forwardTo: u.forwardTo.map((f) => canonicalAddress(f).address) } : {}),
    };
    return this.db.tx(async (db) => {
      const extra = (u.quotaBytes ?? 0) - (a.quotaBytes ?? 0);
      if (u.quotaBytes !== undefined && extra > 0)
        await this.domains.checkRoom(db, await this.domains.require(a.domain, db), null, extra);
      await repo.updateAccount(db, a.id, update);
      return (await repo.findAccountById(db, a.id))!;
    });
  }

  async setPassword(address: string, password: string, actor: Actor = SYSTEM): Promise<void> {
    const a = await this.require(address);
    authorize(
      can.setPassword(actor, a, await managedGroups(this.db, actor)),
      actor,
      `set the password of ${a.address}`,
    );
    if (!password) throw new OperatorError('the password must not be empty');
    const [hash, scram] = await Promise.all([hashPassword(password), scramCredentials(password)]);
    await this.db.tx(async (db) => {
      await repo.setPasswordHash(db, a.id, hash);
      await repo.setScramCredentials(db, a.id, scram);
    });
  }

  async setEnabled(address: string, enabled: boolean, actor: Actor = SYSTEM): Promise<Account> {
    const a = await this.require(address);
    authorize(
      can.manageAccount(actor, a, await managedGroups(this.db, actor)),
      actor,
      `${enabled ? 'enable' : 'disable'} ${a.address}`,
    );
    if (!enabled && a.role === 'server-admin') await this.checkNotLastServerAdmin(a);
    await repo.setEnabled(this.db, a.id, enabled);
    return (await repo.findAccountById(this.db, a.id))!;
  }

  /** Removes the account, its memberships in aliases and the grants on its mailbox. */
  async remove(address: string, actor: Actor = SYSTEM): Promise<void> {
    const a = await this.require(address);
    authorize(can.manageAccount(actor, a, await managedGroups(this.db, actor)), actor, `remove ${a.address}`);
    if (a.role === 'server-admin') await this.checkNotLastServerAdmin(a);
    await this.db.tx(async (db) => {
      for (const aliasId of await findAliasMemberships(db, a.address))
        await removeMembers(db, aliasId, [a.address]);
      await deleteGrantsOn(db, a.address);
      await repo.deleteAccount(db, a.id);
    });
  }

  /** For the mailbox store: the bytes an account's messages take, summed into the domain's storage usage. */
  async setUsedBytes(accountId: number, bytes: number): Promise<void> {
    await repo.setUsedBytes(this.db, accountId, bytes);
  }

  private async checkFree(db: SqlDb, address: string): Promise<void> {
    if (await repo.findAccount(db, address)) throw new ConflictError(`account ${address} already exists`);
    if (await findAlias(db, address)) throw new ConflictError(`${address} is already an alias`);
  }

  private async checkGroup(groupId: number, domain: string): Promise<void> {
    const g = await findGroupById(this.db, groupId);
    if (!g) throw new NotFoundError(`group ${groupId}`);
    if (g.domain !== null && g.domain !== domain)
      throw new OperatorError(`group ${g.name} belongs to domain ${g.domain}, not ${domain}`);
  }

  /** Locking out every administrator is a mistake only a database edit could undo. */
  private async checkNotLastServerAdmin(a: Account): Promise<void> {
    const admins = (await repo.listAccounts(this.db, { role: 'server-admin' })).filter(
      (x) => x.enabled && x.id !== a.id,
    );
    if (!admins.length)
      throw new ConflictError(`${a.address} is the last enabled server admin; make another one first`);
  }
}

export function checkRole(role: string): Role {
  if (!(ROLES as string[]).includes(role))
    throw new OperatorError(`"${role}" is not a role (use ${ROLES.join(', ')})`);
  return role as Role;
}
