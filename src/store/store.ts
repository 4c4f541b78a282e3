import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Config } from '../config/config.js';
import { OperatorError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import type { BlobLocation, BlobStore } from './blobs/blob-store.js';
import { BlobVolumes } from './blobs/blob-volumes.js';
import { FsBlobStore } from './blobs/fs-blob-store.js';
import { DbBlobStore } from './blobs/db-blob-store.js';
import { RecentBlobs } from './blobs/recent-blobs.js';
import { TieredBlobStore } from './blobs/tiered-blob-store.js';
import { schemaComponents } from './components.js';
import { pendingMigrations } from './migrate.js';
import type { SqlDb } from './sql.js';
import { SqliteDb } from './sqlite/sqlite-db.js';
import { parseBlobVolumes } from './store-keys.js';
import { storeInfo, type StoreInfo } from './store-info.js';
import { type UpgradeReport, upgradeStore } from './upgrade.js';

export interface StoreLocation {
  url: string;
  dataDir: string;
}

/** Opens the database named by `store.url`: `sqlite:FILE` (relative to the data dir) or `postgres://…`. */
export async function openDatabase({ url, dataDir }: StoreLocation): Promise<SqlDb> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    try {
      // pg is loaded only for a PostgreSQL store: a SQLite installation would carry 3 MB of it
      const { PostgresDb } = await import('./postgres/postgres-db.js');
      return await PostgresDb.open(url);
    } catch (e) {
      throw new OperatorError(`store.url: cannot connect to PostgreSQL: ${(e as Error).message}`);
    }
  }
  if (url.startsWith('sqlite:')) {
    const rel = url.slice('sqlite:'.length) || 'mailstead.db';
    const file = isAbsolute(rel) ? rel : join(dataDir, rel);
    mkdirSync(dirname(file), { recursive: true });
    return SqliteDb.open(file, { fullText: true });
  }
  throw new OperatorError(`store.url: "${url}" is neither sqlite:FILE nor postgres://…`);
}

/** The blob store `store.blobs`, `store.blob_dir` and `store.blob_volumes` describe. */
export function openBlobStore(config: Config, db: SqlDb): BlobStore {
  let main: BlobLocation;
  if (config.get<string>('store.blobs') === 'postgres') {
    if (db.dialect !== 'postgres')
      throw new OperatorError('store.blobs = postgres needs store.url to be a postgres:// URL');
    main = new DbBlobStore(db);
  } else {
    const files = new FsBlobStore(config.path('store.blob_dir'));
    const inlineMax = config.get<number>('store.inline_blob_max');
    main = inlineMax > 0 ? new TieredBlobStore(new DbBlobStore(db), files, inlineMax) : files;
  }
  const volumes = Object.entries(parseBlobVolumes(config.get<string[]>('store.blob_volumes'))).map(
    ([name, path]) => [name, new RecentBlobs(new FsBlobStore(config.path(path)))],
  );
  return new BlobVolumes(new RecentBlobs(main), Object.fromEntries(volumes));
}

/** Where pre-upgrade snapshots of the store are kept. */
export function snapshotDir(config: Config): string {
  return join(config.dataDir, 'snapshots');
}

/** The database and the blob store of one installation. */
export class Store {
  private constructor(
    readonly db: SqlDb,
    readonly blobs: BlobStore,
    /** How opening went: a failed upgrade leaves some components behind (see `isCurrent`). */
    readonly upgrade: UpgradeReport,
    private readonly config: Config,
  ) {}

  /**
   * Opens the store and brings its schema up to date, taking a snapshot first when an existing
   * store has pending migrations. A failed upgrade does not throw: the store is back on its old
   * schema, `upgrade.message` says why, and only services whose components are current may start.
   */
  static async open(config: Config, opts: { log?: Logger } = {}): Promise<Store> {
    const url = config.get<string>('store.url');
    const opened = await openDatabase({ url, dataDir: config.dataDir });
    const { db, report } = await upgradeStore({
      db: opened,
      url,
      snapshotDir: snapshotDir(config),
      ...(opts.log ? { log: opts.log } : {}),
    });
    return new Store(db, openBlobStore(config, db), report, config);
  }

  /** Whether `component`'s tables are at the version this Mailstead expects. */
  isCurrent(component: string): boolean {
    return !this.upgrade.behind.includes(component);
  }

  async pending() {
    return pendingMigrations(this.db, schemaComponents);
  }

  async info(): Promise<StoreInfo> {
    return storeInfo(this.db, schemaComponents, {
      backend: this.config.get<'fs' | 'postgres'>('store.blobs'),
      volumes: this.blobs.volumes,
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
