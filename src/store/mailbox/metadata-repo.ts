import type { SqlDb } from '../sql.js';

/** Folder id of server-wide entries. */
export const SERVER = 0;
/** Account id of /shared entries (the system's own /private entries are account 0). */
export const SHARED_ENTRY = -1;

export interface MetadataKey {
  folderId: number;
  /** The reader for /private entries, SHARED_ENTRY for /shared ones. */
  accountId: number;
  entry: string;
}

export async function getEntry(db: SqlDb, k: MetadataKey): Promise<string | undefined> {
  const r = await db.get<{ value: string }>(
    'SELECT value FROM mailbox_metadata WHERE folder_id = ? AND account_id = ? AND entry = ?',
    [k.folderId, k.accountId, k.entry],
  );
  return r?.value;
}

/** Entries under `prefix` (the entry itself and its descendants), for GETMETADATA DEPTH. */
export async function entriesUnder(
  db: SqlDb,
  folderId: number,
  accountId: number,
  prefix: string,
): Promise<Array<{ entry: string; value: string }>> {
  return db.all(
    'SELECT entry, value FROM mailbox_metadata WHERE folder_id = ? AND account_id = ? AND (entry = ? OR substr(entry, 1, ?) = ?) ORDER BY entry',
    [folderId, accountId, prefix, prefix.length + 1, prefix + '/'],
  );
}

export async function putEntry(db: SqlDb, k: MetadataKey, value: string | null): Promise<void> {
  await db.run('DELETE FROM mailbox_metadata WHERE folder_id = ? AND account_id = ? AND entry = ?', [
    k.folderId,
    k.accountId,
    k.entry,
  ]);
  if (value !== null)
    await db.run('INSERT INTO mailbox_metadata (folder_id, account_id, entry, value) VALUES (?, ?, ?, ?)', [
      k.folderId,
      k.accountId,
      k.entry,
      value,
    ]);
}

/** One shared entry for many folders at once (folder types in LIST). */
export async function entryForFolders(
  db: SqlDb,
  folderIds: readonly number[],
  entry: string,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let i = 0; i < folderIds.length; i += 500) {
    const chunk = folderIds.slice(i, i + 500);
    const rows = await db.all<{ folder_id: number; value: string }>(
      `SELECT folder_id, value FROM mailbox_metadata WHERE account_id = ${SHARED_ENTRY} AND entry = ? AND folder_id IN (${chunk.map(() => '?').join(', ')})`,
      [entry, ...chunk],
    );
    for (const r of rows) out.set(Number(r.folder_id), r.value);
  }
  return out;
}
