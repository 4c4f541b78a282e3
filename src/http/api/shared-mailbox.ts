import { randomBytes } from 'node:crypto';
import type { App } from '../../app.js';
import type { Account, Actor } from '../../directory/types.js';
import { rightsOf } from './acl-matrix.js';

export interface SharedMailboxGrant {
  /** An account address, or `@GROUP` for every member of a group. */
  grantee: string;
  read: boolean;
  write: boolean;
  sendAs: boolean;
  sendOnBehalf: boolean;
}

export interface SharedMailboxInput {
  address: string;
  displayName?: string;
  grants: SharedMailboxGrant[];
}

/** ACL rights for a grant: reading lets one see and mark mail, writing also file and delete it. */
const READ = rightsOf(['lookup', 'read', 'seen']);
const WRITE = rightsOf(['lookup', 'read', 'seen', 'write', 'insert', 'post', 'create', 'delete']);

/**
 * A shared mailbox in one step (what elsewhere takes a hundred clicks): an account nobody logs
 * into (random password, no webmail) whose INBOX grants users and groups read or write, plus
 * send-as / send-on-behalf on its address. Every step runs as the caller, so the directory's and
 * the mailbox's own authorization applies throughout.
 */
export async function createSharedMailbox(
  app: App,
  input: SharedMailboxInput,
  actor: Actor,
): Promise<Account> {
  const account = await app.directory.addAccount(
    {
      address: input.address,
      password: randomBytes(24).toString('base64url'),
      displayName: input.displayName ?? '',
      webmail: false,
    },
    actor,
  );
  const owner = await app.mailbox.actorFor(account.id);
  await app.mailbox.folders.ensureDefaults(account.id);
  for (const g of input.grants) {
    const identifier = g.grantee.startsWith('@') ? `$${g.grantee.slice(1)}` : g.grantee;
    const rights = g.write ? WRITE : g.read ? READ : '';
    if (rights) await app.mailbox.acl.set(owner, 'INBOX', identifier, rights);
    if (g.sendAs) await app.directory.grantSend(account.address, g.grantee, 'send-as', actor);
    if (g.sendOnBehalf) await app.directory.grantSend(account.address, g.grantee, 'send-on-behalf', actor);
  }
  return account;
}
