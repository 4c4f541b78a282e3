import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Config } from '../config/config.js';
import { OperatorError } from '../core/errors.js';
import type { BlobStore } from './blobs/blob-store.js';
import { FsBlobStore } from './blobs/fs-blob-store.js';
import { schemaComponents } from './components.js';
import { migrate, pendingMigrations } from './migrate.js';
import { PostgresDb } from './postgres/postgres-db.js';
import type { SqlDb } from './sql.js';
import { SqliteDb } from './sqlite/sqlite-db.js';

export interface StoreLocation {
  url: string;
  dataDir: string;
}

/** Opens the database named by `store.url`: `sqlite:FILE` (relative to the data dir) or `postgres://…`. */
export async function openDatabase({ url, dataDir }: StoreLocation): Promise<SqlDb> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    try {
      return await PostgresDb.open(url);
    } catch (e) {
      throw new OperatorError(`store.url: cannot connect to PostgreSQL: ${(e as Error).message}`);
    }
  }
  if (url.startsWith('sqlite:')) {
    const rel = url.slice('sqlite:'.length) || 'mailstead.db';
    const file = isAbsolute(rel) ? rel : join(dataDir, rel);
    mkdirSync(dirname(file), { recursive: true });
    return SqliteDb.open(file);
  }
  throw new OperatorError(`store.url: "${url}" is neither sqlite:FILE nor postgres://…`);
}

/** The database and the blob store of one installation. */
export class Store {
  private constructor(
    readonly db: SqlDb,
    readonly blobs: BlobStore,
  ) {}

  static async open(config: Config): Promise<Store> {
    const db = await openDatabase({ url: config.get<string>('store.url'), dataDir: config.dataDir });
    const blobDir = config.path('store.blob_dir');
    if (!existsSync(blobDir)) mkdirSync(blobDir, { recursive: true });
    const store = new Store(db, new FsBlobStore(blobDir));
    await migrate(db, schemaComponents);
    return store;
  }

  async pending() {
    return pendingMigrations(this.db, schemaComponents);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
