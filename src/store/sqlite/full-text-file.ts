import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';

/**
 * One change to the full-text index: the text of a body (stored or reparsed), or its removal
 * (`headers` undefined: the body is gone). `seq` is the row of mailbox_fts_queue that asked for it.
 */
export interface FullTextItem {
  seq: number;
  bodyId: number;
  headers?: string;
  /** UTF-8: FTS5 indexes a blob's bytes as text. */
  body?: Uint8Array;
}

/** The size of an item's text: characters of its headers and UTF-8 bytes of its body. */
export function textLength(it: FullTextItem): number {
  return (it.headers?.length ?? 0) + (it.body?.length ?? 0);
}

/** The index file beside a store file: `mailstead.db` → `mailstead.fulltext.db`. */
export function fullTextFile(dbFile: string): string {
  return join(dirname(dbFile), `${basename(dbFile, extname(dbFile))}.fulltext.db`);
}

/**
 * Opens (creating) the index file for writing. `applied_seq` is the highest queue row applied:
 * a store whose queue has not reached it is older than the index (a snapshot put back), and the
 * index is rebuilt. `queued_all` is 0 until every body of the store has been queued for this
 * file (a new file, or a rebuilt one, starts empty). FULL sync: a batch is acknowledged (and its queue rows forgotten) only once
 * it is on disk.
 */
export function openFullTextFile(file: string, timeoutMs = 10_000): Db {
  const db = new Database(file, { timeout: timeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // No write when it is there: another process may be writing the index.
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'fulltext_state'").get()) return db;
  db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS mailbox_fts USING fts5(headers, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
     CREATE TABLE IF NOT EXISTS fulltext_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
     INSERT OR IGNORE INTO fulltext_state (name, value) VALUES ('applied_seq', 0), ('queued_all', 0);`,
  );
  return db;
}

/** Applies `items` in order in one transaction: one FTS5 segment for the lot, not one per body. */
export function applyItems(db: Db, items: readonly FullTextItem[]): void {
  const del = db.prepare('DELETE FROM mailbox_fts WHERE rowid = ?');
  const ins = db.prepare('INSERT INTO mailbox_fts (rowid, headers, body) VALUES (?, ?, ?)');
  const mark = db.prepare("UPDATE fulltext_state SET value = MAX(value, ?) WHERE name = 'applied_seq'");
  db.transaction(() => {
    let max = 0;
    for (const it of items) {
      del.run(it.bodyId);
      if (it.headers !== undefined) ins.run(it.bodyId, it.headers, it.body ?? '');
      max = Math.max(max, it.seq);
    }
    mark.run(max);
  }).immediate();
}

/** Empties the index, for a rebuild from the blobs. */
export function resetIndex(db: Db): void {
  db.transaction(() => {
    db.exec("INSERT INTO mailbox_fts (mailbox_fts) VALUES ('delete-all')");
    db.exec("UPDATE fulltext_state SET value = 0 WHERE name IN ('applied_seq', 'queued_all')");
  }).immediate();
}

export function stateOf(db: Db): { appliedSeq: number; queuedAll: boolean } {
  const rows = db.prepare('SELECT name, value FROM fulltext_state').all() as {
    name: string;
    value: number;
  }[];
  const get = (n: string) => Number(rows.find((r) => r.name === n)?.value ?? 0);
  return { appliedSeq: get('applied_seq'), queuedAll: get('queued_all') === 1 };
}

/** Records that the store has queued every body for this file. */
export function markQueuedAll(db: Db): void {
  db.prepare("UPDATE fulltext_state SET value = 1 WHERE name = 'queued_all'").run();
}
