import { splitSubaddress } from '../core/address.js';
import { NotFoundError } from '../core/errors.js';
import { findAccount } from '../store/directory/account-repo.js';
import { findAlias } from '../store/directory/alias-repo.js';
import { groupParents } from '../store/directory/group-repo.js';
import * as repo from '../store/directory/send-grant-repo.js';
import type { SqlDb } from '../store/sql.js';
import type { Accounts } from './accounts.js';
import { authorize, can } from './authorization.js';
import type { Domains } from './domains.js';
import type { Groups } from './groups.js';
import { canonicalAddress } from './names.js';
import { ancestry, managedGroups } from './scope.js';
import type { Account, Actor, SendGrant, SendPermission } from './types.js';
import { SYSTEM } from './types.js';

/**
 * "Send as" and "send on behalf" grants on mailboxes (accounts) and aliases, to accounts or to
 * whole groups (a group grant covers its sub-groups' members too), and the sender check built on them.
 */
export class SendGrants {
  constructor(
    private readonly db: SqlDb,
    private readonly domains: Domains,
    private readonly accounts: Accounts,
    private readonly groups: Groups,
  ) {}

  /** Grants `permission` on `mailbox` to an account address or `@GROUP`; false when it was already granted. */
  async grant(
    mailbox: string,
    grantee: string,
    permission: SendPermission,
    actor: Actor = SYSTEM,
  ): Promise<boolean> {
    const m = await this.authorizedMailbox(mailbox, actor);
    return repo.insertGrant(this.db, m, await this.grantee(grantee), permission);
  }

  /** Revokes a grant; false when there was none. */
  async revoke(
    mailbox: string,
    grantee: string,
    permission: SendPermission,
    actor: Actor = SYSTEM,
  ): Promise<boolean> {
    const m = await this.authorizedMailbox(mailbox, actor);
    return repo.deleteGrant(this.db, m, await this.grantee(grantee), permission);
  }

  async list(mailbox?: string): Promise<SendGrant[]> {
    return repo.listGrants(
      this.db,
      mailbox === undefined ? undefined : (await this.mailbox(mailbox)).address,
    );
  }

  /**
   * How `account` may use `from` as its sender. 'own': the account's address, its `+detail`
   * forms and the same local part at any domain alias. Aliases are never implicitly the
   * owner's: sending as one needs a grant like any other mailbox.
   */
  async mayUseAddress(account: Account, from: string): Promise<'own' | 'send-as' | 'send-on-behalf' | null> {
    let f;
    try {
      f = canonicalAddress(from);
    } catch {
      return null;
    }
    const domain = await this.domains.canonical(f.domain);
    if (!domain) return null;
    const exact = `${f.local}@${domain.name}`;
    const base = `${splitSubaddress(f.local).base}@${domain.name}`;
    if (exact === account.address || base === account.address) return 'own';
    const mailbox = (await this.exists(exact)) ? exact : base;
    const groupIds = account.groupId === null ? [] : ancestry(await groupParents(this.db), account.groupId);
    const held = await repo.heldPermissions(this.db, mailbox, account.id, groupIds);
    return held.includes('send-as') ? 'send-as' : held.includes('send-on-behalf') ? 'send-on-behalf' : null;
  }

  private async exists(address: string): Promise<boolean> {
    return !!((await findAccount(this.db, address)) ?? (await findAlias(this.db, address)));
  }

  /** The canonical address of an account or alias, and what it is. */
  private async mailbox(address: string): Promise<{ address: string; account?: Account }> {
    const a = canonicalAddress(address);
    const domain = await this.domains.canonical(a.domain);
    const canonical = `${a.local}@${domain?.name ?? a.domain}`;
    const account = domain && (await findAccount(this.db, canonical));
    if (account) return { address: canonical, account };
    if (domain && (await findAlias(this.db, canonical))) return { address: canonical };
    throw new NotFoundError(`mailbox or alias ${address}`);
  }

  private async authorizedMailbox(mailbox: string, actor: Actor): Promise<string> {
    const m = await this.mailbox(mailbox);
    if (m.account) {
      authorize(
        can.grantOnAccount(actor, m.account, await managedGroups(this.db, actor)),
        actor,
        `grant permissions on ${m.address}`,
      );
    } else {
      const alias = (await findAlias(this.db, m.address))!;
      authorize(
        can.editAliasMembers(actor, alias, m.address.slice(m.address.indexOf('@') + 1)),
        actor,
        `grant permissions on ${m.address}`,
      );
    }
    return m.address;
  }

  private async grantee(text: string): Promise<repo.Grantee> {
    if (text.startsWith('@')) return { groupId: (await this.groups.require(text.slice(1))).id };
    return { accountId: (await this.accounts.require(text)).id };
  }
}
