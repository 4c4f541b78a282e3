import { PermissionError } from '../core/errors.js';
import type { Account, AccountUpdate, Actor, Alias, Role } from './types.js';

/**
 * Who may change what in the directory. The checks are pure: the caller passes what they need,
 * including `groups`, the ids of the groups the actor administers together with all their
 * sub-groups (empty unless the actor is a group admin). The HTTP API uses the same checks.
 *
 * - server admins (and the system, i.e. the CLI) may do anything;
 * - domain admins manage accounts, groups and aliases of their own domain;
 * - group admins manage accounts in their groups' subtrees and the sub-groups below their groups;
 * - users change only their own password, display name and forwarding;
 * - nobody manages or creates an account with a role above their own.
 */
const RANK: Record<Role, number> = { user: 0, 'group-admin': 1, 'domain-admin': 2, 'server-admin': 3 };

export const ROLES = Object.keys(RANK) as Role[];

/** What a user may change on their own account. */
export const SELF_EDITABLE: readonly (keyof AccountUpdate)[] = [
  'displayName',
  'forwardTo',
  'forwardKeepCopy',
];

type Subject = { role: Role; domain: string; groupId: number | null };

function asAccount(actor: Actor): Account | undefined {
  return actor.kind === 'account' ? actor.account : undefined;
}

function isSuper(actor: Actor): boolean {
  return actor.kind === 'system' || actor.account.role === 'server-admin';
}

function isDomainAdminOf(actor: Actor, domain: string | null): boolean {
  const a = asAccount(actor);
  return !!a && a.role === 'domain-admin' && domain !== null && a.domain === domain;
}

export const can = {
  /**
   * Add, change or remove a contact of the domain's address book: its domain admins, and group
   * admins for contacts filed in a group they manage (SCOoffice's Local Admin).
   */
  manageContact: (
    actor: Actor,
    contact: { domain: string; groupId: number | null },
    groups: ReadonlySet<number>,
  ) =>
    isSuper(actor) ||
    isDomainAdminOf(actor, contact.domain) ||
    (asAccount(actor)?.role === 'group-admin' && contact.groupId !== null && groups.has(contact.groupId)),

  /** Read the address book: whoever manages it, and every account of the domain. */
  viewContact: (
    actor: Actor,
    contact: { domain: string; groupId: number | null },
    groups: ReadonlySet<number>,
  ) => can.manageContact(actor, contact, groups) || asAccount(actor)?.domain === contact.domain,

  /** Create and remove domains, set hosting limits. */
  manageDomains: (actor: Actor) => isSuper(actor),

  /** See a domain and its usage. */
  viewDomain: (actor: Actor, domain: string) => isSuper(actor) || isDomainAdminOf(actor, domain),

  /** Change or remove another account, or create one like `target`. */
  manageAccount(actor: Actor, target: Subject, groups: ReadonlySet<number>): boolean {
    if (isSuper(actor)) return true;
    const a = asAccount(actor)!;
    if (RANK[target.role] > RANK[a.role]) return false;
    if (a.role === 'domain-admin') return a.domain === target.domain;
    if (a.role === 'group-admin') return target.groupId !== null && groups.has(target.groupId);
    return false;
  },

  /** Read an account: anyone who manages it, and the account itself. */
  viewAccount: (actor: Actor, target: Subject & { id: number }, groups: ReadonlySet<number>) =>
    asAccount(actor)?.id === target.id || can.manageAccount(actor, target, groups),

  /** Apply `update` to `target` (self-service is limited to SELF_EDITABLE). */
  updateAccount(
    actor: Actor,
    target: Subject & { id: number },
    update: AccountUpdate,
    groups: ReadonlySet<number>,
  ): boolean {
    const a = asAccount(actor);
    if (a && a.id === target.id && !isSuper(actor)) {
      return (Object.keys(update) as (keyof AccountUpdate)[]).every(
        (k) => update[k] === undefined || SELF_EDITABLE.includes(k),
      );
    }
    if (update.role !== undefined && !can.assignRole(actor, update.role)) return false;
    return can.manageAccount(actor, target, groups);
  },

  /** Give an account `role`: at most one's own. */
  assignRole: (actor: Actor, role: Role) => isSuper(actor) || RANK[role] <= RANK[asAccount(actor)!.role],

  /** Set the password: the account itself, or whoever manages it. */
  setPassword: (actor: Actor, target: Subject & { id: number }, groups: ReadonlySet<number>) =>
    asAccount(actor)?.id === target.id || can.manageAccount(actor, target, groups),

  /**
   * Create, remove or change the admins of a group with this parent and domain. Group admins
   * manage only strictly below their own groups, so they cannot appoint peers to their own group.
   */
  manageGroup(
    actor: Actor,
    group: { parentId: number | null; domain: string | null },
    groups: ReadonlySet<number>,
  ): boolean {
    if (isSuper(actor)) return true;
    if (isDomainAdminOf(actor, group.domain)) return true;
    return asAccount(actor)!.role === 'group-admin' && group.parentId !== null && groups.has(group.parentId);
  },

  viewGroup: (
    actor: Actor,
    group: { id: number; parentId: number | null; domain: string | null },
    groups: ReadonlySet<number>,
  ) => groups.has(group.id) || can.manageGroup(actor, group, groups),

  /** Create and remove aliases of a domain, change who may send to them. */
  manageAlias: (actor: Actor, domain: string) => isSuper(actor) || isDomainAdminOf(actor, domain),

  /** Add and remove members: alias managers and the alias's owners. */
  editAliasMembers: (actor: Actor, alias: Alias, domain: string) =>
    can.manageAlias(actor, domain) ||
    (actor.kind === 'account' && alias.owners.includes(actor.account.address)),

  /** Grant or revoke send-as/on-behalf on an account's mailbox: its managers and the account itself. */
  grantOnAccount: (actor: Actor, mailbox: Subject & { id: number }, groups: ReadonlySet<number>) =>
    asAccount(actor)?.id === mailbox.id || can.manageAccount(actor, mailbox, groups),
};

/** Throws a PermissionError naming the actor and the action unless `allowed`. */
export function authorize(allowed: boolean, actor: Actor, action: string): void {
  if (allowed) return;
  throw new PermissionError(
    `${actor.kind === 'system' ? 'system' : actor.account.address} may not ${action}`,
  );
}
