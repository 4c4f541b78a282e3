import { FLAG_BITS } from '../../mailbox/flags.js';
import type { SearchKey } from '../../mailbox/search-criteria.js';
import { uidSetSql } from '../../mailbox/uid-set.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { sqliteFullText } from '../sqlite/sqlite-db.js';

interface Compiled {
  sql: string;
  params: SqlValue[];
}

const DAY = 86_400_000;
const TRUE: Compiled = { sql: '1 = 1', params: [] };
const FALSE: Compiled = { sql: '1 = 0', params: [] };

function likeAny(value: string): string {
  return `%${value.toLowerCase().replace(/[%_\\]/g, (c) => '\\' + c)}%`;
}

function words(value: string): string[] {
  return value.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function fullText(dialect: SqlDb['dialect'], part: 'body' | 'text', value: string): Compiled {
  const w = words(value);
  if (!w.length) return TRUE;
  if (dialect === 'sqlite') {
    // A phrase whose last word may be a prefix: the nearest FTS5 gets to IMAP's substring match.
    const phrase = `"${w.join(' ')}"*`;
    // The index is a file of its own, attached as `fulltext` to the connection searches run on.
    return {
      sql: 'm.body_id IN (SELECT rowid FROM fulltext.mailbox_fts WHERE mailbox_fts MATCH ?)',
      params: [part === 'body' ? `body : ${phrase}` : phrase],
    };
  }
  const q = `${w.join(' <-> ')}:*`;
  const cond =
    part === 'body'
      ? "body @@ to_tsquery('simple', ?)"
      : "(headers @@ to_tsquery('simple', ?) OR body @@ to_tsquery('simple', ?))";
  return {
    sql: `m.body_id IN (SELECT body_id FROM mailbox_fts WHERE ${cond})`,
    params: part === 'body' ? [q] : [q, q],
  };
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

function join(parts: Compiled[], op: 'AND' | 'OR'): Compiled {
  if (!parts.length) return op === 'AND' ? TRUE : FALSE;
  return { sql: `(${parts.map((p) => p.sql).join(` ${op} `)})`, params: parts.flatMap((p) => p.params) };
}

/** One SQL condition over `m` (mailbox_messages) and `b` (mailbox_bodies) for the search key. */
export function compileSearch(dialect: SqlDb['dialect'], key: SearchKey, now = Date.now()): Compiled {
  switch (key.type) {
    case 'all':
      return TRUE;
    case 'flag': {
      const bit = Object.entries(FLAG_BITS).find(([n]) => n.toLowerCase() === key.flag.toLowerCase())?.[1];
      if (bit !== undefined) return { sql: `(m.flags & ${bit}) ${key.set ? '<>' : '='} 0`, params: [] };
      // \Recent is never set here (RFC 9051 drops it); other unknown system flags match nothing.
      if (key.flag.startsWith('\\')) return key.set ? FALSE : TRUE;
      return {
        sql: `m.keywords ${key.set ? '' : 'NOT '}LIKE ? ESCAPE '\\'`,
        params: [`% ${key.flag.replace(/[%_\\]/g, (c) => '\\' + c)} %`],
      };
    }
    case 'uid':
      return join(uidSetSql('m.uid', key.uids), 'OR');
    case 'date': {
      const col = key.field === 'internal' ? 'm.internal_date' : 'b.sent_date';
      const start = dayStart(key.date);
      if (key.op === 'before') return { sql: `${col} < ?`, params: [start] };
      if (key.op === 'since') return { sql: `${col} >= ?`, params: [start] };
      return { sql: `(${col} >= ? AND ${col} < ?)`, params: [start, start + DAY] };
    }
    case 'age':
      return {
        sql: `m.internal_date ${key.op === 'older' ? '<=' : '>'} ?`,
        params: [now - key.seconds * 1000],
      };
    case 'size':
      return { sql: `m.size ${key.op === 'larger' ? '>' : '<'} ?`, params: [key.bytes] };
    case 'header':
      // Values are stored lower-cased (Unicode-aware, which SQLite's LOWER is not).
      return {
        sql: `EXISTS (SELECT 1 FROM mailbox_headers h WHERE h.body_id = m.body_id AND h.name = ? AND h.value LIKE ? ESCAPE '\\')`,
        params: [key.field.toLowerCase(), likeAny(key.value)],
      };
    case 'text':
      return fullText(dialect, key.part, key.value);
    case 'modseq':
      return { sql: 'm.modseq >= ?', params: [key.modseq] };
    case 'emailid':
      return idKey('m.body_id', key.id, 'M');
    case 'threadid':
      return idKey('m.thread_id', key.id, 'T');
    case 'and':
      return join(
        key.keys.map((k) => compileSearch(dialect, k, now)),
        'AND',
      );
    case 'or':
      return join(
        key.keys.map((k) => compileSearch(dialect, k, now)),
        'OR',
      );
    case 'not': {
      const inner = compileSearch(dialect, key.key, now);
      return { sql: `NOT ${inner.sql}`, params: inner.params };
    }
  }
}

function idKey(col: string, id: string, prefix: string): Compiled {
  const m = new RegExp(`^${prefix}(\\d{1,15})$`).exec(id);
  return m ? { sql: `${col} = ?`, params: [Number(m[1])] } : FALSE;
}

export async function runSearch(
  db: SqlDb,
  folderId: number,
  key: SearchKey,
): Promise<Array<{ uid: number; modseq: number }>> {
  const c = compileSearch(db.dialect, key);
  const sql = `SELECT m.uid, m.modseq FROM mailbox_messages m JOIN mailbox_bodies b ON b.id = m.body_id WHERE m.folder_id = ? AND ${c.sql} ORDER BY m.uid`;
  if (db.dialect === 'sqlite' && usesFullText(key)) {
    const index = sqliteFullText(db);
    if (!index) throw new Error('this SQLite store was opened without its full-text index');
    // Written apart and later: what was delivered before this search must be in it first.
    await index.flush();
    return index.query(sql, [folderId, ...c.params]);
  }
  return db.all(sql, [folderId, ...c.params]);
}

function usesFullText(key: SearchKey): boolean {
  switch (key.type) {
    case 'text':
      return words(key.value).length > 0;
    case 'and':
    case 'or':
      return key.keys.some(usesFullText);
    case 'not':
      return usesFullText(key.key);
    default:
      return false;
  }
}

export async function sortFieldRows(db: SqlDb, folderId: number, uidCond: { sql: string; params: number[] }) {
  return db.all<Record<string, unknown>>(
    `SELECT m.uid, m.internal_date, b.sent_date, m.size, b.from_addr, b.to_addr, b.cc_addr, b.subject, b.message_id, b.in_reply_to, b.refs
     FROM mailbox_messages m JOIN mailbox_bodies b ON b.id = m.body_id WHERE m.folder_id = ? AND ${uidCond.sql} ORDER BY m.uid`,
    [folderId, ...uidCond.params],
  );
}
