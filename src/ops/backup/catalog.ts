import { isChangeVersionTable } from '../../store/change-version.js';
import type { SqlDb } from '../../store/sql.js';

/**
 * Tables a portable dump leaves out, because restore rebuilds them: full-text indexes differ per
 * backend (FTS5 on SQLite, tsvector on PostgreSQL) and are rebuilt from the blobs; blob contents
 * kept in PostgreSQL travel as blob files instead; schema versions go in the manifest; change
 * versions (store/change-version.ts) are made by the migrations and changed by every write.
 */
export function isDerivedTable(name: string): boolean {
  return (
    name.startsWith('mailbox_fts') ||
    name === 'blob_contents' ||
    name === 'blob_chunks' ||
    name === 'schema_versions' ||
    isChangeVersionTable(name) ||
    name.startsWith('sqlite_')
  );
}

export interface TableInfo {
  name: string;
  /** Primary key columns, for a stable row order (every column when there is none). */
  orderBy: string[];
  /** Tables this one references, which must be loaded first. */
  references: string[];
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function sqliteTables(db: SqlDb): Promise<TableInfo[]> {
  const names = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  );
  const out: TableInfo[] = [];
  for (const { name } of names.filter((n) => !isDerivedTable(n.name))) {
    const cols = await db.all<{ name: string; pk: number }>(
      'SELECT name, pk FROM pragma_table_info(?) ORDER BY cid',
      [name],
    );
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const refs = await db.all<{ ref: string }>(
      'SELECT DISTINCT "table" AS ref FROM pragma_foreign_key_list(?)',
      [name],
    );
    out.push({
      name,
      orderBy: (pk.length ? pk : cols).map((c) => c.name),
      references: refs.map((r) => r.ref).filter((r) => r !== name),
    });
  }
  return out;
}

async function postgresTables(db: SqlDb): Promise<TableInfo[]> {
  const names = await db.all<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const out: TableInfo[] = [];
  for (const { name } of names.filter((n) => !isDerivedTable(n.name))) {
    const cols = await db.all<{ name: string }>(
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position',
      [name],
    );
    const pk = await db.all<{ name: string }>(
      `SELECT k.column_name AS name FROM information_schema.table_constraints c
         JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.constraint_schema = c.constraint_schema
       WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema() AND c.table_name = ? ORDER BY k.ordinal_position`,
      [name],
    );
    const refs = await db.all<{ ref: string }>(
      `SELECT DISTINCT u.table_name AS ref FROM information_schema.table_constraints c
         JOIN information_schema.constraint_column_usage u ON u.constraint_name = c.constraint_name AND u.constraint_schema = c.constraint_schema
       WHERE c.constraint_type = 'FOREIGN KEY' AND c.table_schema = current_schema() AND c.table_name = ?`,
      [name],
    );
    out.push({
      name,
      orderBy: (pk.length ? pk : cols).map((c) => c.name),
      references: refs.map((r) => r.ref).filter((r) => r !== name),
    });
  }
  return out;
}

/** The store's tables minus derived ones, referenced tables before the tables that reference them. */
export async function storeTables(db: SqlDb): Promise<TableInfo[]> {
  const tables = db.dialect === 'sqlite' ? await sqliteTables(db) : await postgresTables(db);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  const visit = (t: TableInfo, path: Set<string>) => {
    if (placed.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    for (const r of t.references) {
      const dep = byName.get(r);
      if (dep) visit(dep, path);
    }
    placed.add(t.name);
    ordered.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return ordered;
}

/**
 * Auto-increment counters by table, so ids of deleted rows are not handed out again after a
 * restore (SQLite AUTOINCREMENT keeps them in sqlite_sequence, PostgreSQL in sequences).
 */
export async function readSequences(db: SqlDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (db.dialect === 'sqlite') {
    const hasSeq = await db.get("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
    if (!hasSeq) return out;
    for (const r of await db.all<{ name: string; seq: number }>('SELECT name, seq FROM sqlite_sequence'))
      out[r.name] = Number(r.seq);
    return out;
  }
  for (const s of await serialColumns(db)) {
    const r = await db.get<{ v: number | null }>(
      `SELECT CASE WHEN is_called THEN last_value ELSE NULL END AS v FROM ${s.sequence}`,
    );
    if (r?.v !== null && r?.v !== undefined) out[s.table] = Number(r.v);
  }
  return out;
}

async function serialColumns(db: SqlDb): Promise<{ table: string; column: string; sequence: string }[]> {
  const rows = await db.all<{ table: string; column: string; sequence: string | null }>(
    `SELECT table_name AS "table", column_name AS "column", pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence
       FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'`,
  );
  return rows.filter(
    (r): r is { table: string; column: string; sequence: string } =>
      r.sequence !== null && !isDerivedTable(r.table),
  );
}

/** Sets every counter to at least the dumped value and at least the highest id present. */
export async function writeSequences(db: SqlDb, seqs: Record<string, number>): Promise<void> {
  if (db.dialect === 'sqlite') {
    const hasSeq = await db.get("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
    if (!hasSeq) return;
    for (const [table, seq] of Object.entries(seqs)) {
      const known = await db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]);
      if (!known) continue;
      await db.run('DELETE FROM sqlite_sequence WHERE name = ?', [table]);
      await db.run('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [table, seq]);
    }
    return;
  }
  for (const s of await serialColumns(db)) {
    const max = await db.get<{ m: number | null }>(
      `SELECT MAX(${quoteIdent(s.column)}) AS m FROM ${quoteIdent(s.table)}`,
    );
    const value = Math.max(seqs[s.table] ?? 0, Number(max?.m ?? 0));
    if (value > 0) await db.get('SELECT setval(?, ?)', [s.sequence, value]);
  }
}
