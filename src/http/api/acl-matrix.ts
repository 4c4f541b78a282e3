import type { MailboxService } from '../../mailbox/mailbox-service.js';
import { normalizeIdentifier, normalizeRights } from '../../mailbox/rights.js';
import type { FolderRef, MailboxActor } from '../../mailbox/types.js';

/**
 * The ACL matrix of the SCOoffice folder screen: one column per right as administrators name
 * them. create and delete are RFC 2086's c and d, which RFC 4314 splits into k+x and t+e.
 */
export const ACL_COLUMNS = [
  { name: 'lookup', rights: 'l' },
  { name: 'read', rights: 'r' },
  { name: 'seen', rights: 's' },
  { name: 'write', rights: 'w' },
  { name: 'insert', rights: 'i' },
  { name: 'post', rights: 'p' },
  { name: 'create', rights: 'kx' },
  { name: 'delete', rights: 'te' },
  { name: 'admin', rights: 'a' },
] as const;

export const ACL_COLUMN_NAMES = ACL_COLUMNS.map((c) => c.name);

export interface AclRow {
  identifier: string;
  rights: string;
  /** The columns whose rights the identifier holds in full. */
  columns: string[];
}

export function columnsOf(rights: string): string[] {
  return ACL_COLUMNS.filter((c) => [...c.rights].every((r) => rights.includes(r))).map((c) => c.name);
}

export function rightsOf(columns: readonly string[]): string {
  return normalizeRights(
    ACL_COLUMNS.filter((c) => columns.includes(c.name))
      .map((c) => c.rights)
      .join(''),
  );
}

export async function aclMatrix(
  mailbox: MailboxService,
  actor: MailboxActor,
  ref: FolderRef,
): Promise<AclRow[]> {
  return (await mailbox.acl.get(actor, ref)).map((e) => ({ ...e, columns: columnsOf(e.rights) }));
}

/** Makes the folder's ACL exactly the matrix: rows missing from it lose their rights. */
export async function setAclMatrix(
  mailbox: MailboxService,
  actor: MailboxActor,
  ref: FolderRef,
  rows: { identifier: string; columns: string[] }[],
): Promise<AclRow[]> {
  const wanted = new Map(rows.map((r) => [normalizeIdentifier(r.identifier), rightsOf(r.columns)]));
  for (const e of await mailbox.acl.get(actor, ref))
    if (!wanted.has(e.identifier)) await mailbox.acl.delete(actor, ref, e.identifier);
  for (const [identifier, rights] of wanted) {
    if (rights) await mailbox.acl.set(actor, ref, identifier, rights);
    else await mailbox.acl.delete(actor, ref, identifier);
  }
  return aclMatrix(mailbox, actor, ref);
}
