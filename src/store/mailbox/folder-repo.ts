import type { SqlDb } from '../sql.js';

export interface FolderRow {
  id: number;
  ownerId: number;
  name: string;
  specialUse: string | null;
  uidvalidity: number;
  uidnext: number;
  highestModseq: number;
  messageCount: number;
  sizeBytes: number;
  quotaBytes: number | null;
  quotaMessages: number | null;
  /** Uids from here up have been reported as \Recent to no session (IMAP4rev1). */
  firstRecentUid: number;
}

const COLUMNS = `f.id, f.owner_id, f.name, f.special_use, f.uidvalidity, f.uidnext, f.highestmodseq,
  f.message_count, f.size_bytes, f.quota_bytes, f.quota_messages, f.first_recent_uid`;

type Raw = Record<string, unknown>;
const num = (v: unknown) => Number(v);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toRow(r: Raw): FolderRow {
  return {
    id: num(r.id),
    ownerId: num(r.owner_id),
    name: String(r.name),
    specialUse: (r.special_use as string | null) ?? null,
    uidvalidity: num(r.uidvalidity),
    uidnext: num(r.uidnext),
    highestModseq: num(r.highestmodseq),
    messageCount: num(r.message_count),
    sizeBytes: num(r.size_bytes),
    quotaBytes: numOrNull(r.quota_bytes),
    quotaMessages: numOrNull(r.quota_messages),
    firstRecentUid: num(r.first_recent_uid),
  };
}

export async function folderByName(db: SqlDb, ownerId: number, name: string): Promise<FolderRow | undefined> {
  const r = await db.get<Raw>(
    `SELECT ${COLUMNS} FROM mailbox_folders f WHERE f.owner_id = ? AND f.name = ?`,
    [ownerId, name],
  );
  return r && toRow(r);
}

export async function folderById(db: SqlDb, id: number): Promise<FolderRow | undefined> {
  const r = await db.get<Raw>(`SELECT ${COLUMNS} FROM mailbox_folders f WHERE f.id = ?`, [id]);
  return r && toRow(r);
}

export async function foldersOf(db: SqlDb, ownerId: number): Promise<FolderRow[]> {
  return (
    await db.all<Raw>(`SELECT ${COLUMNS} FROM mailbox_folders f WHERE f.owner_id = ? ORDER BY f.name`, [
      ownerId,
    ])
  ).map(toRow);
}

/** Folders of other owners on which one of `identifiers` has an ACL entry (rights checked by the caller). */
export async function foldersSharedWith(
  db: SqlDb,
  ownerId: number,
  identifiers: readonly string[],
): Promise<FolderRow[]> {
  if (!identifiers.length) return [];
  const marks = identifiers.map(() => '?').join(', ');
  const rows = await db.all<Raw>(
    `SELECT DISTINCT ${COLUMNS} FROM mailbox_folders f JOIN mailbox_acl a ON a.folder_id = f.id
     WHERE f.owner_id <> ? AND a.identifier IN (${marks}) ORDER BY f.owner_id, f.name`,
    [ownerId, ...identifiers],
  );
  return rows.map(toRow);
}

/**
 * A UIDVALIDITY never handed out before: the clock in seconds, or one more than the last when
 * folders are made faster than that, so a deleted and re-created name never reuses one.
 */
async function nextUidvalidity(db: SqlDb): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const r = await db.get<Raw>(
    `UPDATE mailbox_counters SET value = CASE WHEN value + 1 > ? THEN value + 1 ELSE ? END WHERE name = 'uidvalidity' RETURNING value`,
    [now, now],
  );
  return num(r!.value) % 4294967295 || 1;
}

export async function insertFolder(
  db: SqlDb,
  f: { ownerId: number; name: string; specialUse?: string | null; uidnext?: number },
): Promise<FolderRow> {
  const uidvalidity = await nextUidvalidity(db);
  const r = await db.get<Raw>(
    `INSERT INTO mailbox_folders (owner_id, name, special_use, uidvalidity, uidnext, created_at) VALUES (?, ?, ?, ?, ?, ?)
     RETURNING id`,
    [f.ownerId, f.name, f.specialUse ?? null, uidvalidity, f.uidnext ?? 1, Date.now()],
  );
  return (await folderById(db, num(r!.id)))!;
}

export async function deleteFolderRow(db: SqlDb, id: number): Promise<void> {
  await db.run('DELETE FROM mailbox_metadata WHERE folder_id = ?', [id]);
  await db.run('DELETE FROM mailbox_folders WHERE id = ?', [id]);
}

/** Renames a folder and everything below it; returns the renamed rows' ids. */
export async function renameFolderTree(
  db: SqlDb,
  ownerId: number,
  from: string,
  to: string,
): Promise<number[]> {
  const rows = await db.all<Raw>(
    `SELECT id, name FROM mailbox_folders WHERE owner_id = ? AND (name = ? OR substr(name, 1, ?) = ?)`,
    [ownerId, from, from.length + 1, from + '/'],
  );
  for (const r of rows) {
    await db.run('UPDATE mailbox_folders SET name = ? WHERE id = ?', [
      to + String(r.name).slice(from.length),
      num(r.id),
    ]);
  }
  return rows.map((r) => num(r.id));
}

export async function setSpecialUse(db: SqlDb, id: number, specialUse: string | null): Promise<void> {
  await db.run('UPDATE mailbox_folders SET special_use = ? WHERE id = ?', [specialUse, id]);
}

export async function setFolderQuota(
  db: SqlDb,
  id: number,
  bytes: number | null,
  messages: number | null,
): Promise<void> {
  await db.run('UPDATE mailbox_folders SET quota_bytes = ?, quota_messages = ? WHERE id = ?', [
    bytes,
    messages,
    id,
  ]);
}

/**
 * Takes `uids` new UIDs and one new modseq for a change to the folder. The UPDATE comes first so
 * PostgreSQL locks the folder row: concurrent deliveries to one folder queue here.
 */
export async function allocate(
  db: SqlDb,
  folderId: number,
  uids: number,
): Promise<{ firstUid: number; modseq: number }> {
  const r = await db.get<Raw>(
    `UPDATE mailbox_folders SET uidnext = uidnext + ?, highestmodseq = highestmodseq + 1 WHERE id = ? RETURNING uidnext, highestmodseq`,
    [uids, folderId],
  );
  if (!r) throw new Error(`folder ${folderId} vanished`);
  return { firstUid: num(r.uidnext) - uids, modseq: num(r.highestmodseq) };
}

/** Counts messages and bytes in or out of a folder, and the owner's `accounts.used_bytes` the directory reports. */
export async function adjustUsage(
  db: SqlDb,
  folder: Pick<FolderRow, 'id' | 'ownerId'>,
  messages: number,
  bytes: number,
): Promise<void> {
  await db.run(
    'UPDATE mailbox_folders SET message_count = message_count + ?, size_bytes = size_bytes + ? WHERE id = ?',
    [messages, bytes, folder.id],
  );
  if (folder.ownerId !== 0 && bytes !== 0)
    await db.run('UPDATE accounts SET used_bytes = used_bytes + ? WHERE id = ?', [bytes, folder.ownerId]);
}

export async function ownerUsage(db: SqlDb, ownerId: number): Promise<{ bytes: number; messages: number }> {
  const r = await db.get<Raw>(
    'SELECT COALESCE(SUM(size_bytes), 0) AS b, COALESCE(SUM(message_count), 0) AS m FROM mailbox_folders WHERE owner_id = ?',
    [ownerId],
  );
  return { bytes: num(r?.b ?? 0), messages: num(r?.m ?? 0) };
}

/** Records that uids below `uid` were reported as \Recent; never moves the mark back. */
export async function advanceFirstRecent(db: SqlDb, id: number, uid: number): Promise<void> {
  await db.run('UPDATE mailbox_folders SET first_recent_uid = ? WHERE id = ? AND first_recent_uid < ?', [
    uid,
    id,
    uid,
  ]);
}
