import { decodeKeywords, DELETED, encodeKeywords } from '../../mailbox/flags.js';
import { uidSetSql } from '../../mailbox/uid-set.js';
import type { UidSet } from '../../mailbox/types.js';
import type { SqlDb, SqlValue } from '../sql.js';

export interface NewMessage {
  folderId: number;
  uid: number;
  modseq: number;
  flags: number;
  keywords: readonly string[];
  bodyId: number;
  prefix: Buffer;
  size: number;
  internalDate: number;
  threadId: number | null;
}

/** Inserts one message; a message starting a thread gets its own body id as thread id. */
export async function insertMessage(db: SqlDb, m: NewMessage): Promise<number> {
  const r = await db.get<{ id: number }>(
    `INSERT INTO mailbox_messages (folder_id, uid, modseq, flags, keywords, body_id, prefix, size, internal_date, thread_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      m.folderId,
      m.uid,
      m.modseq,
      m.flags,
      encodeKeywords(m.keywords),
      m.bodyId,
      m.prefix,
      m.size,
      m.internalDate,
      m.threadId ?? m.bodyId,
    ],
  );
  return Number(r!.id);
}

export interface FlagRow {
  uid: number;
  flags: number;
  keywords: string;
  modseq: number;
}

/** uid, flags, keywords, modseq of the whole folder in uid order: what SELECT reads. */
export async function allFlagRows(db: SqlDb, folderId: number): Promise<FlagRow[]> {
  return db.all<FlagRow>(
    'SELECT uid, flags, keywords, modseq FROM mailbox_messages WHERE folder_id = ? ORDER BY uid',
    [folderId],
  );
}

export async function knownKeywords(db: SqlDb, folderId: number): Promise<string[]> {
  const rows = await db.all<{ keywords: string }>(
    "SELECT DISTINCT keywords FROM mailbox_messages WHERE folder_id = ? AND keywords <> ''",
    [folderId],
  );
  return [...new Set(rows.flatMap((r) => decodeKeywords(r.keywords)))].sort();
}

export interface MetaRow extends FlagRow {
  id: number;
  body_id: number;
  thread_id: number;
  internal_date: number;
  size: number;
  prefix_length: number;
  envelope?: string | null;
  body_structure?: string | null;
}

/** The cached parse a FETCH needs: none, the ENVELOPE alone, or ENVELOPE and BODYSTRUCTURE. */
export type StructureColumns = 'none' | 'envelope' | 'both';

/** Rows of the given uids, in uid order, with the cached structure columns asked for. */
export async function metaRows(
  db: SqlDb,
  folderId: number,
  uids: UidSet,
  structure: StructureColumns,
): Promise<MetaRow[]> {
  const extra =
    structure === 'both' ? ', b.envelope, b.body_structure' : structure === 'envelope' ? ', b.envelope' : '';
  const cols = `m.id, m.uid, m.flags, m.keywords, m.modseq, m.body_id, m.thread_id, m.internal_date, m.size, length(m.prefix) AS prefix_length${extra}`;
  const join = structure === 'none' ? '' : 'JOIN mailbox_bodies b ON b.id = m.body_id';
  const out: MetaRow[] = [];
  for (const c of uidSetSql('m.uid', uids)) {
    out.push(
      ...(await db.all<MetaRow>(
        `SELECT ${cols} FROM mailbox_messages m ${join} WHERE m.folder_id = ? AND ${c.sql} ORDER BY m.uid`,
        [folderId, ...c.params],
      )),
    );
  }
  return out;
}

/** uid and body id of the given uids, in uid order: what per-body caches are keyed by. */
export async function bodyIdRows(
  db: SqlDb,
  folderId: number,
  uids: UidSet,
): Promise<Array<{ uid: number; body_id: number }>> {
  const out: Array<{ uid: number; body_id: number }> = [];
  for (const c of uidSetSql('uid', uids))
    out.push(
      ...(await db.all<{ uid: number; body_id: number }>(
        `SELECT uid, body_id FROM mailbox_messages WHERE folder_id = ? AND ${c.sql} ORDER BY uid`,
        [folderId, ...c.params],
      )),
    );
  return out;
}

/** uid, body id and the ENVELOPE as sent (NULL for bodies stored before it was kept), in uid order. */
export async function envelopeWireRows(
  db: SqlDb,
  folderId: number,
  uids: UidSet,
): Promise<Array<{ uid: number; body_id: number; envelope_wire: Buffer | Uint8Array | null }>> {
  const out: Array<{ uid: number; body_id: number; envelope_wire: Buffer | Uint8Array | null }> = [];
  for (const c of uidSetSql('m.uid', uids))
    out.push(
      ...(await db.all<{ uid: number; body_id: number; envelope_wire: Buffer | Uint8Array | null }>(
        `SELECT m.uid, m.body_id, b.envelope_wire FROM mailbox_messages m JOIN mailbox_bodies b ON b.id = m.body_id
         WHERE m.folder_id = ? AND ${c.sql} ORDER BY m.uid`,
        [folderId, ...c.params],
      )),
    );
  return out;
}

export interface MessageLocation {
  hash: string;
  volume: string;
  prefix: Buffer;
  size: number;
}

export async function locateMessage(
  db: SqlDb,
  folderId: number,
  uid: number,
): Promise<MessageLocation | undefined> {
  const r = await db.get<{ hash: string; volume: string | null; prefix: Buffer | Uint8Array; size: number }>(
    `SELECT b.hash, bl.volume, m.prefix, m.size FROM mailbox_messages m
       JOIN mailbox_bodies b ON b.id = m.body_id LEFT JOIN blobs bl ON bl.hash = b.hash
     WHERE m.folder_id = ? AND m.uid = ?`,
    [folderId, uid],
  );
  return r && { hash: r.hash, volume: r.volume ?? '', prefix: Buffer.from(r.prefix), size: Number(r.size) };
}

/** Where several messages' bytes are, by uid (missing uids are left out). */
export async function locateMessages(
  db: SqlDb,
  folderId: number,
  uids: readonly number[],
): Promise<Map<number, MessageLocation>> {
  const out = new Map<number, MessageLocation>();
  for (let i = 0; i < uids.length; i += 500) {
    const chunk = uids.slice(i, i + 500);
    const rows = await db.all<{
      uid: number;
      hash: string;
      volume: string | null;
      prefix: Buffer | Uint8Array;
      size: number;
    }>(
      `SELECT m.uid, b.hash, bl.volume, m.prefix, m.size FROM mailbox_messages m
         JOIN mailbox_bodies b ON b.id = m.body_id LEFT JOIN blobs bl ON bl.hash = b.hash
       WHERE m.folder_id = ? AND m.uid IN (${chunk.map(() => '?').join(', ')})`,
      [folderId, ...chunk],
    );
    for (const r of rows)
      out.set(Number(r.uid), {
        hash: r.hash,
        volume: r.volume ?? '',
        prefix: Buffer.from(r.prefix),
        size: Number(r.size),
      });
  }
  return out;
}

function likeKeyword(k: string): string {
  return `% ${k.replace(/[%_\\]/g, (c) => '\\' + c)} %`;
}

/**
 * Applies a flag change to the uids in bulk (a few statements whatever the count) and gives
 * every changed message `modseq`; rows above `unchangedSince` are left alone.
 */
export async function updateFlags(
  db: SqlDb,
  folderId: number,
  uids: UidSet,
  op: 'add' | 'remove' | 'replace',
  bits: number,
  keywords: readonly string[],
  modseq: number,
  unchangedSince: number | undefined,
): Promise<void> {
  for (const c of uidSetSql('uid', uids)) {
    const where = `folder_id = ? AND ${c.sql}${unchangedSince === undefined ? '' : ' AND (modseq <= ? OR modseq = ?)'}`;
    const wp: SqlValue[] = [
      folderId,
      ...c.params,
      ...(unchangedSince === undefined ? [] : [unchangedSince, modseq]),
    ];
    const run = (set: string, setParams: SqlValue[], cond: string, condParams: SqlValue[]) =>
      db.run(`UPDATE mailbox_messages SET ${set}, modseq = ? WHERE ${where} AND ${cond}`, [
        ...setParams,
        modseq,
        ...wp,
        ...condParams,
      ]);
    if (op === 'replace') {
      const kw = encodeKeywords(keywords);
      await run('flags = ?, keywords = ?', [bits, kw], '(flags <> ? OR keywords <> ?)', [bits, kw]);
      continue;
    }
    if (op === 'add') {
      if (bits) await run('flags = flags | ?', [bits], '(flags & ?) <> ?', [bits, bits]);
      for (const k of keywords) {
        await run(
          "keywords = CASE WHEN keywords = '' THEN ? ELSE keywords || ? END",
          [` ${k} `, `${k} `],
          "keywords NOT LIKE ? ESCAPE '\\'",
          [likeKeyword(k)],
        );
      }
    } else {
      if (bits) await run('flags = flags & ?', [0xff ^ bits], '(flags & ?) <> 0', [bits]);
      for (const k of keywords) {
        await run('keywords = REPLACE(keywords, ?, ?)', [` ${k} `, ' '], "keywords LIKE ? ESCAPE '\\'", [
          likeKeyword(k),
        ]);
      }
      if (keywords.length)
        await db.run(
          "UPDATE mailbox_messages SET keywords = '' WHERE folder_id = ? AND modseq = ? AND keywords = ' '",
          [folderId, modseq],
        );
    }
  }
}

export async function rowsAtModseq(db: SqlDb, folderId: number, modseq: number): Promise<FlagRow[]> {
  return db.all<FlagRow>(
    'SELECT uid, flags, keywords, modseq FROM mailbox_messages WHERE folder_id = ? AND modseq = ? ORDER BY uid',
    [folderId, modseq],
  );
}

export async function uidsChangedAfter(
  db: SqlDb,
  folderId: number,
  uids: UidSet,
  modseq: number,
): Promise<number[]> {
  const out: number[] = [];
  for (const c of uidSetSql('uid', uids)) {
    const rows = await db.all<{ uid: number }>(
      `SELECT uid FROM mailbox_messages WHERE folder_id = ? AND ${c.sql} AND modseq > ? ORDER BY uid`,
      [folderId, ...c.params, modseq],
    );
    out.push(...rows.map((r) => Number(r.uid)));
  }
  return out;
}

export interface CopiedRow {
  uid: number;
  size: number;
  hash: string;
}

/** The rows a copy or expunge acts on, in uid order. `deletedOnly` keeps those flagged \Deleted. */
export async function selectForMove(
  db: SqlDb,
  folderId: number,
  uids: UidSet | null,
  deletedOnly: boolean,
): Promise<CopiedRow[]> {
  const del = deletedOnly ? ` AND (m.flags & ${DELETED}) <> 0` : '';
  const base = `SELECT m.uid, m.size, b.hash FROM mailbox_messages m JOIN mailbox_bodies b ON b.id = m.body_id WHERE m.folder_id = ?${del}`;
  if (uids === null) return db.all<CopiedRow>(`${base} ORDER BY m.uid`, [folderId]);
  const out: CopiedRow[] = [];
  for (const c of uidSetSql('m.uid', uids))
    out.push(...(await db.all<CopiedRow>(`${base} AND ${c.sql} ORDER BY m.uid`, [folderId, ...c.params])));
  return out;
}

/**
 * Copies the given uids (which must exist, ascending) into `toFolder` with consecutive uids from
 * `firstUid`, in one statement per uid-range chunk.
 */
export async function copyRows(
  db: SqlDb,
  fromFolder: number,
  uids: readonly number[],
  toFolder: number,
  firstUid: number,
  modseq: number,
): Promise<void> {
  for (let i = 0; i < uids.length; i += 500) {
    const chunk = uids.slice(i, i + 500);
    await db.run(
      `INSERT INTO mailbox_messages (folder_id, uid, modseq, flags, keywords, body_id, prefix, size, internal_date, thread_id)
       SELECT CAST(? AS BIGINT), CAST(? AS BIGINT) + ROW_NUMBER() OVER (ORDER BY uid) - 1, CAST(? AS BIGINT), flags, keywords, body_id, prefix, size, internal_date, thread_id
       FROM mailbox_messages WHERE folder_id = ? AND uid IN (${chunk.map(() => '?').join(', ')})`,
      [toFolder, firstUid + i, modseq, fromFolder, ...chunk],
    );
  }
}

/** Deletes messages and remembers their uids with `modseq` for VANISHED. */
export async function deleteRows(
  db: SqlDb,
  folderId: number,
  uids: readonly number[],
  modseq: number,
): Promise<void> {
  for (let i = 0; i < uids.length; i += 500) {
    const chunk = uids.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(', ');
    await db.run(`DELETE FROM mailbox_messages WHERE folder_id = ? AND uid IN (${marks})`, [
      folderId,
      ...chunk,
    ]);
    await db.run(
      `INSERT INTO mailbox_expunged (folder_id, uid, modseq) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
      chunk.flatMap((u) => [folderId, u, modseq]),
    );
  }
}

export async function changedRows(db: SqlDb, folderId: number, sinceModseq: number): Promise<FlagRow[]> {
  return db.all<FlagRow>(
    'SELECT uid, flags, keywords, modseq FROM mailbox_messages WHERE folder_id = ? AND modseq > ? ORDER BY uid',
    [folderId, sinceModseq],
  );
}

export async function vanishedUids(db: SqlDb, folderId: number, sinceModseq: number): Promise<number[]> {
  const rows = await db.all<{ uid: number }>(
    'SELECT uid FROM mailbox_expunged WHERE folder_id = ? AND modseq > ? ORDER BY uid',
    [folderId, sinceModseq],
  );
  return rows.map((r) => Number(r.uid));
}

export async function statusCounts(
  db: SqlDb,
  folderId: number,
  firstRecentUid: number,
): Promise<{ unseen: number; deleted: number; recent: number }> {
  const r = await db.get<{ unseen: number; deleted: number; recent: number }>(
    `SELECT COALESCE(SUM(CASE WHEN (flags & 1) = 0 THEN 1 ELSE 0 END), 0) AS unseen,
            COALESCE(SUM(CASE WHEN (flags & ${DELETED}) <> 0 THEN 1 ELSE 0 END), 0) AS deleted,
            COALESCE(SUM(CASE WHEN uid >= ? THEN 1 ELSE 0 END), 0) AS recent
     FROM mailbox_messages WHERE folder_id = ?`,
    [firstRecentUid, folderId],
  );
  return { unseen: Number(r?.unseen ?? 0), deleted: Number(r?.deleted ?? 0), recent: Number(r?.recent ?? 0) };
}
