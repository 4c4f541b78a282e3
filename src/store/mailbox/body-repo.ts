import { asBuffer } from '../../core/thread-rpc.js';
import type { IndexedMessage } from '../../mailbox/indexer.js';
import type { SqlDb } from '../sql.js';
import { sqliteFullText } from '../sqlite/sqlite-db.js';

/** The parse stored per body: ENVELOPE and BODYSTRUCTURE as JSON, the ENVELOPE as sent. */
export interface BodyStructureColumns {
  envelope: unknown;
  bodyStructure: unknown;
  envelopeWire: Buffer;
}

export async function bodyIdByHash(db: SqlDb, hash: string): Promise<number | undefined> {
  const r = await db.get<{ id: number }>('SELECT id FROM mailbox_bodies WHERE hash = ?', [hash]);
  return r ? Number(r.id) : undefined;
}

/** Stores what was parsed from a blob: header fields, every header, structure, full-text row. */
export async function insertBody(
  db: SqlDb,
  hash: string,
  m: IndexedMessage,
  structure: BodyStructureColumns | null,
): Promise<number> {
  const r = await db.get<{ id: number }>(
    `INSERT INTO mailbox_bodies (hash, envelope, body_structure, envelope_wire, from_addr, to_addr, cc_addr, bcc_addr, subject, sent_date, message_id, in_reply_to, refs)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      hash,
      structure ? JSON.stringify(structure.envelope) : null,
      structure ? JSON.stringify(structure.bodyStructure) : null,
      structure ? structure.envelopeWire : null,
      m.from,
      m.to,
      m.cc,
      m.bcc,
      m.subject,
      m.sentDate,
      m.messageId,
      m.inReplyTo,
      m.references,
    ],
  );
  const id = Number(r!.id);
  await insertHeaders(db, id, m.headers);
  await indexText(db, id, m);
  return id;
}

async function insertHeaders(db: SqlDb, bodyId: number, headers: IndexedMessage['headers']): Promise<void> {
  // Rows go in batches: one statement per header would dominate delivery time.
  for (let i = 0; i < headers.length; i += 100) {
    const batch = headers.slice(i, i + 100);
    await db.run(
      `INSERT INTO mailbox_headers (body_id, name, value) VALUES ${batch.map(() => '(?, ?, ?)').join(', ')}`,
      batch.flatMap((h) => [bodyId, h.name, h.value.toLowerCase()]),
    );
  }
}

function headerText(m: IndexedMessage): string {
  return m.headers.map((h) => `${h.name}: ${h.value}`).join('\n');
}

/** The two columns of the full-text index for a parsed message. */
export function fullTextFields(m: IndexedMessage): { headers: string; body: Uint8Array } {
  return { headers: headerText(m), body: m.bodyText };
}

/**
 * SQLite: a queue row in the caller's transaction, and the text handed to the index's writer
 * once it commits (see FullTextIndex). Without `m`, the body is removed from the index.
 */
async function queueFullText(db: SqlDb, bodyId: number, m?: IndexedMessage): Promise<void> {
  const r = await db.get<{ seq: number }>(
    'INSERT INTO mailbox_fts_queue (body_id) VALUES (?) RETURNING seq',
    [bodyId],
  );
  sqliteFullText(db)?.stage({ seq: Number(r!.seq), bodyId, ...(m ? fullTextFields(m) : {}) });
}

export async function indexText(db: SqlDb, bodyId: number, m: IndexedMessage): Promise<void> {
  if (db.dialect === 'sqlite') {
    await queueFullText(db, bodyId, m);
  } else {
    // NUL bytes are not allowed in PostgreSQL text.
    const clean = (s: string) => s.replaceAll('\0', ' ');
    await db.run(
      `INSERT INTO mailbox_fts (body_id, headers, body) VALUES (?, to_tsvector('simple', ?), to_tsvector('simple', ?))
       ON CONFLICT (body_id) DO UPDATE SET headers = excluded.headers, body = excluded.body`,
      [bodyId, clean(headerText(m)), clean(asBuffer(m.bodyText).toString('utf8'))],
    );
  }
}

/** Replaces the stored parse of a body (reconstruct): NULLs when the parser cannot read it. */
export async function updateStructure(
  db: SqlDb,
  bodyId: number,
  structure: BodyStructureColumns | null,
): Promise<void> {
  await db.run('UPDATE mailbox_bodies SET envelope = ?, body_structure = ?, envelope_wire = ? WHERE id = ?', [
    structure ? JSON.stringify(structure.envelope) : null,
    structure ? JSON.stringify(structure.bodyStructure) : null,
    structure ? structure.envelopeWire : null,
    bodyId,
  ]);
}

/** Replaces headers and full-text row of a body (reconstruct). */
export async function reindexBody(db: SqlDb, bodyId: number, m: IndexedMessage): Promise<void> {
  await db.run('DELETE FROM mailbox_headers WHERE body_id = ?', [bodyId]);
  await insertHeaders(db, bodyId, m.headers);
  await indexText(db, bodyId, m);
}

/** The thread of the first message of the owner whose Message-ID is among `ids`. */
export async function threadOf(
  db: SqlDb,
  ownerId: number,
  ids: readonly string[],
): Promise<number | undefined> {
  if (!ids.length) return undefined;
  const r = await db.get<{ thread_id: number }>(
    `SELECT m.thread_id FROM mailbox_bodies b
       JOIN mailbox_messages m ON m.body_id = b.id
       JOIN mailbox_folders f ON f.id = m.folder_id
     WHERE b.message_id IN (${ids.map(() => '?').join(', ')}) AND f.owner_id = ? LIMIT 1`,
    [...ids, ownerId],
  );
  return r ? Number(r.thread_id) : undefined;
}

/** Bodies no message points at any more (their blob reference is already released). */
export async function deleteOrphanBodies(db: SqlDb): Promise<number> {
  return db.tx(async (t) => {
    const ids = (
      await t.all<{ id: number }>(
        'SELECT id FROM mailbox_bodies b WHERE NOT EXISTS (SELECT 1 FROM mailbox_messages m WHERE m.body_id = b.id)',
      )
    ).map((r) => Number(r.id));
    for (const id of ids) {
      if (t.dialect === 'sqlite') await queueFullText(t, id);
      await t.run('DELETE FROM mailbox_headers WHERE body_id = ?', [id]);
      await t.run('DELETE FROM mailbox_bodies WHERE id = ?', [id]);
    }
    return ids.length;
  });
}

/** Resolves once the full-text index holds every body committed so far (SQLite writes it apart). */
export async function fullTextSettled(db: SqlDb): Promise<void> {
  await sqliteFullText(db)?.flush();
}
