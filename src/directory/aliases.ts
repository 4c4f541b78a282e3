import { ConflictError, NotFoundError, OperatorError } from '../core/errors.js';
import { findAccount } from '../store/directory/account-repo.js';
import * as repo from '../store/directory/alias-repo.js';
import { deleteGrantsOn } from '../store/directory/send-grant-repo.js';
import type { SqlDb } from '../store/sql.js';
import type { Accounts } from './accounts.js';
import { authorize, can } from './authorization.js';
import type { Domains } from './domains.js';
import { canonicalAddress, mailboxAddress } from './names.js';
import type { Actor, Alias, AliasInput, AliasUpdate } from './types.js';
import { SYSTEM } from './types.js';

/** Aliases (distribution lists): members, owners who manage them, and who may send to them. */
export class Aliases {
  constructor(
    private readonly db: SqlDb,
    private readonly domains: Domains,
    private readonly accounts: Accounts,
  ) {}

  /** The alias at `address`, also when written with a domain alias. */
  async find(address: string): Promise<Alias | undefined> {
    const mailbox = await this.domains.canonicalMailbox(address);
    return mailbox ? repo.findAlias(this.db, mailbox) : undefined;
  }

  async require(address: string): Promise<Alias> {
    const a = await this.find(address);
    if (!a) throw new NotFoundError(`alias ${address}`);
    return a;
  }

  async get(address: string, actor: Actor = SYSTEM): Promise<Alias> {
    const a = await this.require(address);
    authorize(can.editAliasMembers(actor, a, domainOf(a.address)), actor, `see alias ${a.address}`);
    return a;
  }

  async list(filter: { domain?: string } = {}, actor: Actor = SYSTEM): Promise<Alias[]> {
    const domainId = filter.domain === undefined ? undefined : (await this.domains.require(filter.domain)).id;
    return (await repo.listAliases(this.db, domainId)).filter((a) =>
      can.editAliasMembers(actor, a, domainOf(a.address)),
    );
  }

  async add(input: AliasInput, actor: Actor = SYSTEM): Promise<Alias> {
    const addr = mailboxAddress(input.address);
    const domain = await this.domains.requireReal(addr.domain);
    authorize(can.manageAlias(actor, domain.name), actor, `add aliases in ${domain.name}`);
    const members = this.members(addr.address, input.members);
    const ownerIds = await this.ownerIds(input.owners ?? []);
    const senders = (input.allowedSenders ?? []).map((s) => canonicalAddress(s).address);
    return this.db.tx(async (db) => {
      if (await repo.findAlias(db, addr.address))
        throw new ConflictError(`alias ${addr.address} already exists`);
      if (await findAccount(db, addr.address))
        throw new ConflictError(`${addr.address} is already an account`);
      await this.domains.checkRoom(db, domain, 'aliases');
      const id = await repo.insertAlias(db, {
        address: addr.address,
        domainId: domain.id,
        restricted: input.restricted ?? false,
        membersMaySend: input.membersMaySend ?? true,
      });
      await repo.addMembers(db, id, members);
      await repo.setOwners(db, id, ownerIds);
      await repo.setAllowedSenders(db, id, senders);
      return (await repo.findAlias(db, addr.address))!;
    });
  }

  async update(address: string, u: AliasUpdate, actor: Actor = SYSTEM): Promise<Alias> {
    const a = await this.require(address);
    authorize(can.manageAlias(actor, domainOf(a.address)), actor, `change alias ${a.address}`);
    const ownerIds = u.owners && (await this.ownerIds(u.owners));
    const senders = u.allowedSenders?.map((s) => canonicalAddress(s).address);
    return this.db.tx(async (db) => {
      await repo.updateAliasFlags(db, a.id, u);
      if (ownerIds) await repo.setOwners(db, a.id, ownerIds);
      if (senders) await repo.setAllowedSenders(db, a.id, senders);
      return (await repo.findAlias(db, a.address))!;
    });
  }

  async remove(address: string, actor: Actor = SYSTEM): Promise<void> {
    const a = await this.require(address);
    authorize(can.manageAlias(actor, domainOf(a.address)), actor, `remove alias ${a.address}`);
    await this.db.tx(async (db) => {
      await deleteGrantsOn(db, a.address);
      await repo.deleteAlias(db, a.id);
    });
  }

  async addMembers(address: string, members: string[], actor: Actor = SYSTEM): Promise<Alias> {
    const a = await this.require(address);
    authorize(
      can.editAliasMembers(actor, a, domainOf(a.address)),
      actor,
      `change the members of ${a.address}`,
    );
    const add = this.members(a.address, members);
    const already = add.filter((m) => a.members.includes(m));
    if (already.length === add.length)
      throw new ConflictError(
        `${already.join(', ')} ${already.length === 1 ? 'is' : 'are'} already a member of ${a.address}`,
      );
    await repo.addMembers(this.db, a.id, add);
    return (await repo.findAlias(this.db, a.address))!;
  }

  async removeMembers(address: string, members: string[], actor: Actor = SYSTEM): Promise<Alias> {
    const a = await this.require(address);
    authorize(
      can.editAliasMembers(actor, a, domainOf(a.address)),
      actor,
      `change the members of ${a.address}`,
    );
    const remove = members.map((m) => canonicalAddress(m).address);
    const strangers = remove.filter((m) => !a.members.includes(m));
    if (strangers.length)
      throw new OperatorError(
        `${strangers.join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not a member of ${a.address}`,
      );
    await repo.removeMembers(this.db, a.id, remove);
    return (await repo.findAlias(this.db, a.address))!;
  }

  private members(self: string, list: string[]): string[] {
    const out = [...new Set(list.map((m) => canonicalAddress(m).address))];
    if (out.includes(self)) throw new OperatorError(`alias ${self} cannot be a member of itself`);
    return out;
  }

  private async ownerIds(owners: string[]): Promise<number[]> {
    return Promise.all(owners.map(async (o) => (await this.accounts.require(o)).id));
  }
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
