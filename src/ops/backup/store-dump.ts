import { mkdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copySqlite } from '../../store/snapshot.js';
import type { SqlDb, SqlValue } from '../../store/sql.js';
import { SqliteDb } from '../../store/sqlite/sqlite-db.js';
import { quoteIdent, readSequences, storeTables, writeSequences } from './catalog.js';
import { sha256File, type TableEntry } from './manifest.js';
import { readTableFile, writeTableFile } from './table-file.js';
import type { ProgressListener } from './progress.js';

const PAGE = 5000;

/**
 * Runs `fn` on a read-only view of the store frozen at one instant while the server keeps
 * writing: a `VACUUM INTO` copy of SQLite, or a REPEATABLE READ transaction on PostgreSQL.
 */
export async function withConsistentView<T>(
  db: SqlDb,
  scratchDir: string,
  fn: (view: SqlDb) => Promise<T>,
): Promise<T> {
  if (db.dialect === 'postgres') {
    return db.tx(async (t) => {
      await t.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return fn(t);
    });
  }
  if (!(db instanceof SqliteDb)) throw new Error('a SQLite store must be a SqliteDb');
  mkdirSync(scratchDir, { recursive: true });
  const file = join(scratchDir, 'snapshot.sqlite');
  await rm(file, { force: true });
  await copySqlite(db, file);
  const view = SqliteDb.open(file, { readonly: true });
  try {
    return await fn(view);
  } finally {
    await view.close();
    await rm(file, { force: true });
  }
}

export interface StoreDump {
  schema: Record<string, number>;
  sequences: Record<string, number>;
  tables: TableEntry[];
}

/** Writes every non-derived table of `view` into `dir/tables/`, one file each, in load order. */
export async function dumpTables(view: SqlDb, dir: string, progress: ProgressListener): Promise<StoreDump> {
  const tablesDir = join(dir, 'tables');
  mkdirSync(tablesDir, { recursive: true });
  const tables = await storeTables(view);
  const out: TableEntry[] = [];
  for (const [i, t] of tables.entries()) {
    const rel = join('tables', `${String(i).padStart(3, '0')}-${t.name}.jsonl.gz`);
    let rows = 0;
    const order = t.orderBy.map(quoteIdent).join(', ');
    const columns = await columnNames(view, t.name);
    async function* pages() {
      for (let offset = 0; ; offset += PAGE) {
        const page = await view.all<Record<string, unknown>>(
          `SELECT * FROM ${quoteIdent(t.name)} ORDER BY ${order} LIMIT ${PAGE} OFFSET ${offset}`,
        );
        for (const r of page) yield columns.map((c) => r[c]);
        rows += page.length;
        progress({ phase: `dump ${t.name}`, done: rows });
        if (page.length < PAGE) return;
      }
    }
    await writeTableFile(join(dir, rel), { table: t.name, columns }, pages());
    const file = join(dir, rel);
    out.push({ table: t.name, rows, path: rel, size: statSync(file).size, sha256: await sha256File(file) });
  }
  // Read directly: currentVersions would create the table, which a read-only view refuses.
  const versions = await view.all<{ component: string; version: number }>(
    'SELECT component, version FROM schema_versions',
  );
  return {
    schema: Object.fromEntries(versions.map((v) => [v.component, Number(v.version)])),
    sequences: await readSequences(view),
    tables: out,
  };
}

async function columnNames(db: SqlDb, table: string): Promise<string[]> {
  const rows =
    db.dialect === 'sqlite'
      ? await db.all<{ name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table])
      : await db.all<{ name: string }>(
          'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position',
          [table],
        );
  return rows.map((r) => r.name);
}

/** Rows per INSERT: a few thousand parameters, under every backend's limit. */
const rowsPerInsert = (columns: number) => Math.max(1, Math.floor(2000 / columns));

/**
 * Replaces the rows of every dumped table with the dump's, in one transaction, and carries the
 * id counters over. The schema must already be at the dump's versions.
 */
export async function loadTables(
  db: SqlDb,
  dir: string,
  tables: readonly TableEntry[],
  sequences: Record<string, number>,
  progress: ProgressListener,
): Promise<void> {
  await db.tx(async (t) => {
    // Checked at commit: a dump taken mid-way through a cascade is still consistent as a whole.
    if (t.dialect === 'sqlite') await t.exec('PRAGMA defer_foreign_keys = ON');
    for (const e of [...tables].reverse()) await t.run(`DELETE FROM ${quoteIdent(e.table)}`);
    for (const e of tables) {
      const { header, rows } = await readTableFile(join(dir, e.path));
      const cols = header.columns.map(quoteIdent).join(', ');
      const one = `(${header.columns.map(() => '?').join(', ')})`;
      const per = rowsPerInsert(header.columns.length);
      let batch: SqlValue[][] = [];
      let done = 0;
      const flush = async () => {
        if (!batch.length) return;
        await t.run(
          `INSERT INTO ${quoteIdent(e.table)} (${cols}) VALUES ${batch.map(() => one).join(', ')}`,
          batch.flat(),
        );
        done += batch.length;
        batch = [];
        progress({ phase: `load ${e.table}`, done, total: e.rows });
      };
      for await (const r of rows) {
        batch.push(r);
        if (batch.length >= per) await flush();
      }
      await flush();
      if (done !== e.rows) throw new Error(`${e.path}: ${done} rows, the manifest says ${e.rows}`);
    }
    await writeSequences(t, sequences);
  });
}
