import type { SqlDb } from '../sql.js';

export async function aclOf(
  db: SqlDb,
  folderId: number,
): Promise<Array<{ identifier: string; rights: string }>> {
  return db.all('SELECT identifier, rights FROM mailbox_acl WHERE folder_id = ? ORDER BY identifier', [
    folderId,
  ]);
}

/** The rights strings of the entries matching any of `identifiers`, for the caller to unite. */
export async function matchingRights(
  db: SqlDb,
  folderId: number,
  identifiers: readonly string[],
): Promise<string[]> {
  if (!identifiers.length) return [];
  const rows = await db.all<{ rights: string }>(
    `SELECT rights FROM mailbox_acl WHERE folder_id = ? AND identifier IN (${identifiers.map(() => '?').join(', ')})`,
    [folderId, ...identifiers],
  );
  return rows.map((r) => r.rights);
}

/** Sets an entry; empty rights delete it. */
export async function putAcl(db: SqlDb, folderId: number, identifier: string, rights: string): Promise<void> {
  await db.run('DELETE FROM mailbox_acl WHERE folder_id = ? AND identifier = ?', [folderId, identifier]);
  if (rights)
    await db.run('INSERT INTO mailbox_acl (folder_id, identifier, rights) VALUES (?, ?, ?)', [
      folderId,
      identifier,
      rights,
    ]);
}

/** A new folder starts with its parent's ACL, as in Cyrus, so a shared tree stays shared. */
export async function copyAcl(db: SqlDb, fromFolder: number, toFolder: number): Promise<void> {
  await db.run(
    'INSERT INTO mailbox_acl (folder_id, identifier, rights) SELECT CAST(? AS BIGINT), identifier, rights FROM mailbox_acl WHERE folder_id = ?',
    [toFolder, fromFolder],
  );
}
