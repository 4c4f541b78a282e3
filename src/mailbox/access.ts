import { NotFoundError, PermissionError } from '../core/errors.js';
import { accountIdByAddress, accountView, addressesOf } from '../store/mailbox/account-view.js';
import { matchingRights } from '../store/mailbox/acl-repo.js';
import { folderById, folderByName, type FolderRow } from '../store/mailbox/folder-repo.js';
import type { SqlDb } from '../store/sql.js';
import { parseFolderName, SYSTEM_OWNER, viewName, type ParsedFolderName } from './folder-names.js';
import { ALL_RIGHTS, hasRights, unionRights } from './rights.js';
import type { FolderRef, MailboxActor } from './types.js';

/** A folder found for an actor, with the actor's rights on it and the name the actor sees. */
export interface ResolvedFolder {
  row: FolderRow;
  rights: string;
  name: string;
}

/** The ACL identifiers that apply to an account. */
export async function actorFor(db: SqlDb, accountId: number): Promise<MailboxActor> {
  const a = await accountView(db, accountId);
  if (!a) throw new NotFoundError(`account ${accountId}`);
  return {
    accountId,
    address: a.address,
    identifiers: [a.address, ...a.groups.map((g) => `$${g}`), 'authenticated', 'anyone'],
    system: false,
  };
}

export async function rightsOn(
  db: SqlDb,
  actor: MailboxActor,
  row: Pick<FolderRow, 'id' | 'ownerId'>,
): Promise<string> {
  if (actor.system || row.ownerId === actor.accountId) return ALL_RIGHTS;
  return unionRights(await matchingRights(db, row.id, actor.identifiers));
}

/** The owner id a parsed name refers to, or undefined when no such account exists. */
export async function ownerOf(
  db: SqlDb,
  actor: MailboxActor,
  p: ParsedFolderName,
): Promise<number | undefined> {
  if (p.namespace === 'personal') return actor.system ? undefined : actor.accountId;
  if (p.namespace === 'shared') return SYSTEM_OWNER;
  return accountIdByAddress(db, p.ownerAddress);
}

export async function nameFor(
  db: SqlDb,
  actor: MailboxActor,
  row: Pick<FolderRow, 'ownerId' | 'name'>,
): Promise<string> {
  const addr =
    row.ownerId === actor.accountId || row.ownerId === SYSTEM_OWNER
      ? ''
      : ((await addressesOf(db, [row.ownerId])).get(row.ownerId) ?? `#${row.ownerId}`);
  return viewName(actor.accountId, row.ownerId, addr, row.name);
}

/**
 * Finds a folder and checks the actor holds `need`. Without `l` or `r` the folder does not exist
 * for the actor (RFC 4314 section 4: no leaking of names); with them but without `need`, NOPERM.
 */
export async function resolveFolder(
  db: SqlDb,
  actor: MailboxActor,
  ref: FolderRef,
  need: string,
): Promise<ResolvedFolder> {
  const label = typeof ref === 'string' ? ref : `#${ref.id}`;
  let row: FolderRow | undefined;
  if (typeof ref === 'string') {
    const p = parseFolderName(ref);
    const owner = await ownerOf(db, actor, p);
    if (owner !== undefined) row = await folderByName(db, owner, p.name);
  } else {
    row = await folderById(db, ref.id);
  }
  if (!row) throw new NotFoundError(`folder ${label}`, { imap: { status: 'NO', code: 'NONEXISTENT' } });
  const rights = await rightsOn(db, actor, row);
  if (!hasRights(rights, 'l') && !hasRights(rights, 'r'))
    throw new NotFoundError(`folder ${label}`, { imap: { status: 'NO', code: 'NONEXISTENT' } });
  if (!hasRights(rights, need)) throw new PermissionError(`no permission on ${label} (needs ${need})`);
  return { row, rights, name: await nameFor(db, actor, row) };
}
