import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SqlDb } from '../store/sql.js';
import { Accounts } from './accounts.js';
import { Aliases } from './aliases.js';
import { aliasAcceptsSender } from './names.js';
import { Contacts } from './contacts.js';
import { Authenticator } from './authentication.js';
import { Domains } from './domains.js';
import { Groups } from './groups.js';
import { Recipients } from './recipients.js';
import { SendGrants } from './send-grants.js';
import type { ScramServer } from './scram.js';
import type {
  Account,
  AccountFilter,
  AccountInput,
  AccountUpdate,
  Actor,
  Alias,
  AliasInput,
  AliasUpdate,
  AuthContext,
  Domain,
  DomainInput,
  DomainUpdate,
  DomainUsage,
  Group,
  GroupInput,
  Recipient,
  SendGrant,
  SendPermission,
} from './types.js';
import { SYSTEM } from './types.js';

export { AuthError, AuthLockedError } from './auth-error.js';

/**
 * The directory service: domains, accounts, groups, aliases, send grants, authentication and
 * recipient resolution. The CLI changes the same store while a server runs, so little is
 * remembered: resolved recipients only while the store's change version says their records are
 * unchanged (see Recipients), verified passwords only with the stored hash they matched (see
 * VerifiedLogins).
 * Methods that change or reveal records take the acting `Actor` (default: the system, as the
 * CLI acts) and throw PermissionError when it may not.
 */
export class Directory {
  private readonly domains: Domains;
  private readonly accounts: Accounts;
  private readonly groups: Groups;
  private readonly aliases: Aliases;
  private readonly recipients: Recipients;
  private readonly grants: SendGrants;
  private readonly auth: Authenticator;
  /** The domain-wide address book. */
  readonly contacts: Contacts;

  constructor(db: SqlDb, config: Config, log: Logger, metrics: Metrics, clock: Clock = systemClock) {
    this.domains = new Domains(db);
    this.accounts = new Accounts(db, this.domains);
    this.groups = new Groups(db, this.domains, this.accounts);
    this.aliases = new Aliases(db, this.domains, this.accounts);
    this.recipients = new Recipients(db, this.domains);
    this.grants = new SendGrants(db, this.domains, this.accounts, this.groups);
    this.auth = new Authenticator(db, config, log, metrics, this.accounts, clock);
    this.contacts = new Contacts(db, this.domains, this.groups);
  }

  // Authentication and mail flow

  /** Checks a password login; throws AuthError (AuthLockedError while locked out). */
  authenticate(username: string, password: string, ctx: AuthContext): Promise<Account> {
    return this.auth.authenticate(username, password, ctx);
  }

  /** A SCRAM login (RFC 5802/7677) after the client-first-message; see Authenticator.scram. */
  scram(exchange: ScramServer, ctx: AuthContext): ReturnType<Authenticator['scram']> {
    return this.auth.scram(exchange, ctx);
  }

  resolveRecipient(address: string): Promise<Recipient> {
    return this.recipients.resolve(address);
  }

  expandAlias(address: string): Promise<string[]> {
    return this.recipients.expand(address);
  }

  mayUseAddress(account: Account, fromAddress: string): Promise<'own' | 'send-as' | 'send-on-behalf' | null> {
    return this.grants.mayUseAddress(account, fromAddress);
  }

  /** Whether `sender` may send to a (possibly restricted) alias. */
  maySendToAlias(alias: Alias, sender: string): boolean {
    return aliasAcceptsSender(alias, sender);
  }

  isLocalDomain(domain: string): Promise<boolean> {
    return this.domains.isLocal(domain);
  }

  // Domains

  getDomain(name: string, actor: Actor = SYSTEM): Promise<Domain> {
    return this.domains.get(name, actor);
  }

  listDomains(actor: Actor = SYSTEM): Promise<Domain[]> {
    return this.domains.list(actor);
  }

  domainAliases(name: string): Promise<string[]> {
    return this.domains.aliasesOf(name);
  }

  addDomain(input: DomainInput, actor: Actor = SYSTEM): Promise<Domain> {
    return this.domains.add(input, actor);
  }

  updateDomain(name: string, update: DomainUpdate, actor: Actor = SYSTEM): Promise<Domain> {
    return this.domains.update(name, update, actor);
  }

  removeDomain(name: string, actor: Actor = SYSTEM): Promise<void> {
    return this.domains.remove(name, actor);
  }

  domainUsage(name: string, actor: Actor = SYSTEM): Promise<DomainUsage> {
    return this.domains.usage(name, actor);
  }

  listDomainsWithUsage(actor: Actor = SYSTEM): Promise<{ domain: Domain; usage: DomainUsage }[]> {
    return this.domains.listWithUsage(actor);
  }

  // Accounts

  /** The account at an address (also written with a domain alias); undefined when none. */
  getAccount(address: string): Promise<Account | undefined> {
    return this.accounts.find(address);
  }

  getAccountById(id: number): Promise<Account | undefined> {
    return this.accounts.findById(id);
  }

  /** Like getAccount, for an actor: NotFoundError when missing, PermissionError when not theirs to see. */
  showAccount(address: string, actor: Actor = SYSTEM): Promise<Account> {
    return this.accounts.get(address, actor);
  }

  listAccounts(filter: AccountFilter = {}, actor: Actor = SYSTEM): Promise<Account[]> {
    return this.accounts.list(filter, actor);
  }

  addAccount(input: AccountInput, actor: Actor = SYSTEM): Promise<Account> {
    return this.accounts.add(input, actor);
  }

  updateAccount(address: string, update: AccountUpdate, actor: Actor = SYSTEM): Promise<Account> {
    return this.accounts.update(address, update, actor);
  }

  removeAccount(address: string, actor: Actor = SYSTEM): Promise<void> {
    return this.accounts.remove(address, actor);
  }

  setPassword(address: string, password: string, actor: Actor = SYSTEM): Promise<void> {
    return this.accounts.setPassword(address, password, actor);
  }

  setEnabled(address: string, enabled: boolean, actor: Actor = SYSTEM): Promise<Account> {
    return this.accounts.setEnabled(address, enabled, actor);
  }

  /** The mailbox store's hook: an account's stored bytes, summed into its domain's storage usage. */
  setUsedBytes(accountId: number, bytes: number): Promise<void> {
    return this.accounts.setUsedBytes(accountId, bytes);
  }

  // Groups

  getGroup(name: string, actor: Actor = SYSTEM): Promise<Group> {
    return this.groups.get(name, actor);
  }

  listGroups(actor: Actor = SYSTEM): Promise<Group[]> {
    return this.groups.list(actor);
  }

  addGroup(input: GroupInput, actor: Actor = SYSTEM): Promise<Group> {
    return this.groups.add(input, actor);
  }

  removeGroup(name: string, actor: Actor = SYSTEM): Promise<void> {
    return this.groups.remove(name, actor);
  }

  addGroupAdmin(name: string, account: string, actor: Actor = SYSTEM): Promise<{ promoted: boolean }> {
    return this.groups.addAdmin(name, account, actor);
  }

  removeGroupAdmin(name: string, account: string, actor: Actor = SYSTEM): Promise<void> {
    return this.groups.removeAdmin(name, account, actor);
  }

  groupMembers(name: string, actor: Actor = SYSTEM): Promise<Account[]> {
    return this.groups.members(name, actor);
  }

  addGroupMembers(name: string, accounts: string[], actor: Actor = SYSTEM): Promise<void> {
    return this.groups.addMembers(name, accounts, actor);
  }

  removeGroupMembers(name: string, accounts: string[], actor: Actor = SYSTEM): Promise<void> {
    return this.groups.removeMembers(name, accounts, actor);
  }

  // Aliases

  /** The alias at an address (also written with a domain alias); undefined when none. */
  findAlias(address: string): Promise<Alias | undefined> {
    return this.aliases.find(address);
  }

  getAlias(address: string, actor: Actor = SYSTEM): Promise<Alias> {
    return this.aliases.get(address, actor);
  }

  listAliases(filter: { domain?: string } = {}, actor: Actor = SYSTEM): Promise<Alias[]> {
    return this.aliases.list(filter, actor);
  }

  addAlias(input: AliasInput, actor: Actor = SYSTEM): Promise<Alias> {
    return this.aliases.add(input, actor);
  }

  updateAlias(address: string, update: AliasUpdate, actor: Actor = SYSTEM): Promise<Alias> {
    return this.aliases.update(address, update, actor);
  }

  removeAlias(address: string, actor: Actor = SYSTEM): Promise<void> {
    return this.aliases.remove(address, actor);
  }

  addAliasMembers(address: string, members: string[], actor: Actor = SYSTEM): Promise<Alias> {
    return this.aliases.addMembers(address, members, actor);
  }

  removeAliasMembers(address: string, members: string[], actor: Actor = SYSTEM): Promise<Alias> {
    return this.aliases.removeMembers(address, members, actor);
  }

  // Send grants

  /** Grants send-as/on-behalf on a mailbox or alias to an account address or `@GROUP`; false when already granted. */
  grantSend(
    mailbox: string,
    grantee: string,
    permission: SendPermission,
    actor: Actor = SYSTEM,
  ): Promise<boolean> {
    return this.grants.grant(mailbox, grantee, permission, actor);
  }

  revokeSend(
    mailbox: string,
    grantee: string,
    permission: SendPermission,
    actor: Actor = SYSTEM,
  ): Promise<boolean> {
    return this.grants.revoke(mailbox, grantee, permission, actor);
  }

  listSendGrants(mailbox?: string): Promise<SendGrant[]> {
    return this.grants.list(mailbox);
  }
}
