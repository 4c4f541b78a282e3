import type { App } from '../../app.js';
import { authorize, can } from '../../directory/authorization.js';
import { managedGroups } from '../../directory/scope.js';
import type { Account, Actor } from '../../directory/types.js';
import { SYSTEM_ACTOR, type MailboxActor } from '../../mailbox/types.js';

/**
 * Authorization for the services that take no directory actor (config, queue, logs, DKIM,
 * mailbox-as-owner), expressed with the directory's role checks so the rules live in one place.
 */

/** Server-wide settings, the queue, the logs and listeners: the rank that may manage domains. */
export function requireServerAdmin(actor: Actor, action: string): void {
  authorize(can.manageDomains(actor), actor, action);
}

export function requireDomainAccess(actor: Actor, domain: string, action: string): void {
  authorize(can.viewDomain(actor, domain), actor, action);
}

/**
 * The account `address` when the actor is that account or manages it (the mailbox and filters of
 * an account are its own business and its administrators').
 */
export async function manageableAccount(
  app: App,
  actor: Actor,
  address: string,
  action: string,
): Promise<Account> {
  const account = await app.directory.showAccount(address, actor);
  const self = actor.kind === 'account' && actor.account.id === account.id;
  if (!self)
    authorize(
      can.manageAccount(actor, account, await managedGroups(app.store.db, actor)),
      actor,
      `${action} of ${account.address}`,
    );
  return account;
}

/**
 * The mailbox actor to work on `address`'s folders as: the owner itself, after checking the
 * actor may. `-` is the public Shared/ tree, which only server admins manage. The mailbox
 * service then checks folder rights as for the owner, so a folder id of another account is
 * not reachable through this account's URL.
 */
export async function mailboxActorFor(app: App, actor: Actor, address: string): Promise<MailboxActor> {
  if (address === '-') {
    requireServerAdmin(actor, 'manage shared folders');
    return SYSTEM_ACTOR;
  }
  const account = await manageableAccount(app, actor, address, 'manage the folders');
  return app.mailbox.actorFor(account.id);
}
