import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { openApp } from '../../app.js';
import { Config } from '../../config/config.js';
import { OperatorError } from '../../core/errors.js';
import { schemaComponents } from '../../store/components.js';
import { currentVersions, migrate } from '../../store/migrate.js';
import { latestVersion } from '../../store/migration.js';
import type { SqlDb } from '../../store/sql.js';
import { openBlobStore, openDatabase } from '../../store/store.js';
import { quoteIdent } from './catalog.js';
import { locateBackup, pooledBlobPath, readManifest, sha256File, type BackupManifest } from './manifest.js';
import { noProgress, type ProgressListener } from './progress.js';
import { loadTables } from './store-dump.js';

export interface RestoreOptions {
  /** Replace a non-empty data dir, and the rows of a non-empty database. */
  force?: boolean;
  /** Where the restored store lives; by default the backup's (a SQLite file goes inside the new data dir). */
  storeUrl?: string;
  progress?: ProgressListener;
}

export interface RestoreReport {
  backup: string;
  tables: number;
  rows: number;
  blobs: number;
  reindexedFolders: number;
}

/** Checks every file the manifest lists against its checksum; throws naming the first bad one. */
export async function verifyBackup(
  dir: string,
  m: BackupManifest,
  progress: ProgressListener = noProgress,
): Promise<void> {
  const entries = [...m.tables, ...m.files];
  for (const [i, e] of entries.entries()) {
    const file = join(dir, e.path);
    if (!existsSync(file)) throw new OperatorError(`backup ${m.id} is incomplete: ${e.path} is missing`);
    if ((await sha256File(file)) !== e.sha256)
      throw new OperatorError(`backup ${m.id} is damaged: ${e.path} does not match its checksum`);
    progress({ phase: 'verify', done: i + 1, total: entries.length });
  }
}

/**
 * Restores a backup into a new data dir: files, then the store (schema built up to the backup's
 * versions, rows loaded, newer migrations applied), then the blobs, each verified against its
 * hash, then the full-text index rebuilt from the blobs.
 */
export async function runRestore(
  src: string,
  dataDir: string,
  opts: RestoreOptions = {},
): Promise<RestoreReport> {
  const progress = opts.progress ?? noProgress;
  const { dir, dest } = locateBackup(resolve(src));
  const m = readManifest(dir);
  checkSchema(m);
  await verifyBackup(dir, m, progress);
  dataDir = resolve(dataDir);
  if (existsSync(dataDir) && readdirSync(dataDir).length) {
    if (!opts.force)
      throw new OperatorError(
        `${dataDir} is not empty; restore into an empty directory, or add --force to replace what is there`,
      );
    for (const f of readdirSync(dataDir)) rmSync(join(dataDir, f), { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  cpSync(join(dir, 'files'), dataDir, { recursive: true });
  const config = Config.open(dataDir);
  try {
    pointStoreAt(config, opts.storeUrl);
    dropCopiedSqlite(config);
    const db = await openDatabase({ url: config.get<string>('store.url'), dataDir });
    try {
      await prepareSchema(db, m, opts.force ?? false);
      await loadTables(db, dir, m.tables, m.sequences, progress);
      await migrate(db, schemaComponents);
      const blobs = openBlobStore(config, db);
      for (const [i, b] of m.blobs.entries()) {
        const data = await readFile(pooledBlobPath(dest, b.hash));
        if (createHash('sha256').update(data).digest('hex') !== b.hash)
          throw new OperatorError(`backup blob ${b.hash} is damaged (checksum mismatch)`);
        await blobs.put(data, b.volume || undefined);
        progress({ phase: 'blobs', done: i + 1, total: m.blobs.length });
      }
    } finally {
      await db.close();
    }
  } finally {
    config.close();
  }
  const reindexedFolders = await rebuildIndexes(dataDir, progress);
  return {
    backup: dir,
    tables: m.tables.length,
    rows: m.tables.reduce((n, t) => n + t.rows, 0),
    blobs: m.blobs.length,
    reindexedFolders,
  };
}

function checkSchema(m: BackupManifest): void {
  const known = new Map(schemaComponents.map((c) => [c.name, latestVersion(c)]));
  for (const [name, v] of Object.entries(m.schema)) {
    const latest = known.get(name);
    if (latest === undefined)
      throw new OperatorError(
        `backup ${m.id} has a "${name}" schema this Mailstead does not know; restore with the version that made it`,
      );
    if (v > latest)
      throw new OperatorError(
        `backup ${m.id} has ${name} schema ${v}, newer than this Mailstead's ${latest}; restore with a newer Mailstead`,
      );
  }
}

/**
 * A SQLite store given by absolute path belonged to the old machine: it is restored inside the
 * new data dir instead. Blobs kept in PostgreSQL go to files when the new store is SQLite.
 */
function pointStoreAt(config: Config, storeUrl: string | undefined): void {
  const url = storeUrl ?? config.get<string>('store.url');
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    config.set('store.url', storeUrl === undefined && isAbsolute(file) ? `sqlite:${basename(file)}` : url);
    if (config.get<string>('store.blobs') === 'postgres') config.set('store.blobs', 'fs');
  } else config.set('store.url', url);
}

/**
 * The data dir was empty before the backup's files were copied in, so a database file at the
 * SQLite target came from them: a store the source had left behind when it moved to PostgreSQL.
 */
function dropCopiedSqlite(config: Config): void {
  const url = config.get<string>('store.url');
  if (!url.startsWith('sqlite:')) return;
  const file = config.path(url.slice('sqlite:'.length) || 'mailstead.db');
  if (!file.startsWith(config.dataDir + sep)) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}

/** Builds the schema at the backup's versions in an empty database (or, with force, one at most that far along). */
async function prepareSchema(db: SqlDb, m: BackupManifest, force: boolean): Promise<void> {
  const versions = await currentVersions(db);
  if (versions.size) {
    const rows = await countRows(db, m);
    if (rows && !force)
      throw new OperatorError(
        `the database at store.url already holds ${rows} rows; restore into an empty database, or add --force to replace them`,
      );
    for (const [name, v] of versions) {
      if (v > (m.schema[name] ?? 0))
        throw new OperatorError(
          `the database's ${name} schema (${v}) is newer than the backup's; restore into an empty database`,
        );
    }
  }
  await migrate(db, schemaComponents, { upTo: m.schema });
}

async function countRows(db: SqlDb, m: BackupManifest): Promise<number> {
  let n = 0;
  for (const t of m.tables) {
    const r = await db
      .get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(t.table)}`)
      .catch(() => undefined);
    n += Number(r?.n ?? 0);
  }
  return n;
}

/** Full-text rows are not in the dump (they differ per backend): rebuilt per account from the blobs. */
async function rebuildIndexes(dataDir: string, progress: ProgressListener): Promise<number> {
  const app = await openApp(dataDir);
  try {
    const owners = await app.store.db.all<{ owner_id: number }>(
      'SELECT DISTINCT owner_id FROM mailbox_folders ORDER BY owner_id',
    );
    let folders = 0;
    for (const [i, o] of owners.entries()) {
      folders += (await app.mailbox.reconstruct(Number(o.owner_id))).length;
      progress({ phase: 'reindex', done: i + 1, total: owners.length });
    }
    return folders;
  } finally {
    await app.close();
  }
}
