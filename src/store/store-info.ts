import { statSync } from 'node:fs';
import { currentVersions } from './migrate.js';
import { latestVersion, type SchemaComponent } from './migration.js';
import type { SqlDb } from './sql.js';
import { SqliteDb } from './sqlite/sqlite-db.js';

/** What `mailstead store info` shows. */
export interface StoreInfo {
  backend: 'sqlite' | 'postgres';
  blobBackend: 'fs' | 'postgres';
  volumes: string[];
  components: { name: string; version: number; latest: number }[];
  /** Database size on disk: SQLite file and WAL, or the PostgreSQL tables and indexes of the store's schema. */
  dbBytes: number;
  /** Referenced bodies; `unreferenced` wait for garbage collection. */
  blobs: { count: number; bytes: number; unreferenced: number };
}

async function databaseBytes(db: SqlDb): Promise<number> {
  if (db instanceof SqliteDb) {
    const size = (f: string) => statSync(f, { throwIfNoEntry: false })?.size ?? 0;
    return size(db.raw.name) + size(`${db.raw.name}-wal`);
  }
  const r = await db.get<{ n: string | number }>(
    `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r'`,
  );
  return Number(r?.n ?? 0);
}

export async function storeInfo(
  db: SqlDb,
  components: readonly SchemaComponent[],
  blobs: { backend: 'fs' | 'postgres'; volumes: readonly string[] },
): Promise<StoreInfo> {
  const versions = await currentVersions(db);
  const b = await db.get<{ count: number; bytes: number | string | null; unreferenced: number }>(
    `SELECT SUM(CASE WHEN refs > 0 THEN 1 ELSE 0 END) AS count, SUM(CASE WHEN refs > 0 THEN size ELSE 0 END) AS bytes,
            SUM(CASE WHEN refs > 0 THEN 0 ELSE 1 END) AS unreferenced FROM blobs`,
  );
  return {
    backend: db.dialect,
    blobBackend: blobs.backend,
    volumes: [...blobs.volumes],
    components: components.map((c) => ({
      name: c.name,
      version: versions.get(c.name) ?? 0,
      latest: latestVersion(c),
    })),
    dbBytes: await databaseBytes(db),
    blobs: {
      count: Number(b?.count ?? 0),
      bytes: Number(b?.bytes ?? 0),
      unreferenced: Number(b?.unreferenced ?? 0),
    },
  };
}
