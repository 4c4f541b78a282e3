import { execFile } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { PostgresDb } from './postgres/postgres-db.js';
import { SqliteDb } from './sqlite/sqlite-db.js';

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `<dir>/<UTC time>-<what>.<ext>`, sortable by name. */
export function snapshotPath(dir: string, what: string, ext: string): string {
  mkdirSync(dir, { recursive: true });
  return join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${what}.${ext}`);
}

/**
 * A consistent copy of a live SQLite store in `file` (VACUUM INTO reads one snapshot of the
 * database while other connections keep writing), fsynced so it outlives a power loss.
 */
export async function copySqlite(db: SqliteDb, file: string): Promise<void> {
  await db.exec(`VACUUM INTO '${file.replaceAll("'", "''")}'`);
  fsyncPath(file);
  fsyncPath(dirname(file));
}

/**
 * Puts the store file back as it was in `snapshot` and reopens it. The WAL of the abandoned
 * database is removed first: left beside the restored file it would be replayed into it.
 */
export async function restoreSqlite(db: SqliteDb, snapshot: string): Promise<SqliteDb> {
  const file = db.raw.name;
  const fullText = db.fullText !== undefined;
  await db.close();
  const incoming = `${file}.restoring`;
  await copyFile(snapshot, incoming);
  fsyncPath(incoming);
  await rm(`${file}-wal`, { force: true });
  await rm(`${file}-shm`, { force: true });
  await rename(incoming, file);
  fsyncPath(dirname(file));
  return SqliteDb.open(file, { fullText });
}

/** Removes a SQLite copy with its WAL files. */
export async function removeSqlite(file: string): Promise<void> {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) await rm(f, { force: true });
}

/**
 * `pg_dump --format=custom` of the store's schema into `file`, when pg_dump is installed. The
 * password goes by environment, not on the command line where `ps` shows it. Returns what
 * happened in words for the log; a failed dump does not stop an upgrade, because PostgreSQL runs
 * the upgrade in one transaction anyway.
 */
export async function dumpPostgres(
  db: PostgresDb,
  url: string,
  file: string,
): Promise<{ file?: string; message: string }> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const schema = (await db.get<{ s: string }>('SELECT current_schema() AS s'))?.s ?? 'public';
  const args = [
    '--format=custom',
    '--file',
    file,
    ...(schema === 'public' ? [] : ['--schema', schema]),
    u.toString(),
  ];
  try {
    await promisify(execFile)('pg_dump', args, {
      env: { ...process.env, PGPASSWORD: password },
      maxBuffer: 1 << 20,
    });
    fsyncPath(file);
    return { file, message: `pg_dump wrote ${file}` };
  } catch (e) {
    await rm(file, { force: true });
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why =
      err.code === 'ENOENT' ? 'pg_dump is not installed' : (err.stderr?.trim() || err.message).split('\n')[0];
    return { message: `no pg_dump snapshot (${why}); the upgrade still runs in one transaction` };
  }
}
