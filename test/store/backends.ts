import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe } from 'node:test';
import pg from 'pg';
import { Config } from '../../src/config/config.js';
import type { BlobStore } from '../../src/store/blobs/blob-store.js';
import { BlobVolumes } from '../../src/store/blobs/blob-volumes.js';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.js';
import { DbBlobStore } from '../../src/store/blobs/db-blob-store.js';
import { TieredBlobStore } from '../../src/store/blobs/tiered-blob-store.js';
import { schemaComponents } from '../../src/store/components.js';
import { migrate } from '../../src/store/migrate.js';
import type { SchemaComponent } from '../../src/store/migration.js';
import type { SqlDb } from '../../src/store/sql.js';
import { openDatabase } from '../../src/store/store.js';

/** store.inline_blob_max's default, so the conformance tests cover both tiers. */
export const INLINE_MAX = 128 * 1024;

export const PG_URL =
  process.env.MAILSTEAD_TEST_PG_URL ?? 'postgres://mailstead:mailstead@127.0.0.1:5432/mailstead_test';

/** One store backend as the tests see it; everything it hands out is removed after each test. */
export interface TestBackend {
  readonly name: 'sqlite' | 'postgres';
  /**
   * A store of its own: a fresh SQLite file, or a fresh PostgreSQL schema. `url` is its
   * `store.url`, `dataDir` an empty temp dir to go with it.
   */
  location(): Promise<{ url: string; dataDir: string }>;
  /** A fresh database, migrated to the latest schema unless `migrate: false`. */
  db(opts?: { migrate?: boolean; components?: readonly SchemaComponent[] }): Promise<SqlDb>;
  /** Opens another connection to a location (closed after the test). */
  open(location: { url: string; dataDir: string }): Promise<SqlDb>;
  /**
   * The blob store of this backend's usual configuration over `db`: small bodies in the database
   * and the rest as files (sqlite), or all in the database (postgres), plus a filesystem volume
   * named `archive`.
   */
  blobs(db: SqlDb): BlobStore;
  /** A data dir with mailstead.toml pointing at a fresh location; `settings` are added to it. */
  config(settings?: Record<string, string>): Promise<Config>;
}

/** A fresh schema in the test database: its `store.url`, and how to drop it. */
export async function pgSchema(admin: pg.Pool): Promise<{ url: string; drop: () => Promise<unknown> }> {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const u = new URL(PG_URL);
  // Spaces as %20: libpq (pg_dump) does not read + as a space.
  u.search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return { url: u.toString(), drop: () => admin.query(`DROP SCHEMA ${schema} CASCADE`) };
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mailstead-${prefix}-`));
}

/** What to undo after a test, newest first. */
class Cleanup {
  private readonly tasks: (() => unknown)[] = [];
  add(task: () => unknown): void {
    this.tasks.push(task);
  }
  async run(): Promise<void> {
    for (const t of this.tasks.splice(0).reverse())
      await Promise.resolve()
        .then(t)
        .catch(() => undefined);
  }
}

function makeBackend(name: 'sqlite' | 'postgres', cleanup: Cleanup, admin: () => pg.Pool): TestBackend {
  const b: TestBackend = {
    name,
    async location() {
      const dataDir = tempDir('data');
      cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
      if (name === 'sqlite') return { url: `sqlite:${join(dataDir, 'store.db')}`, dataDir };
      const { url, drop } = await pgSchema(admin());
      cleanup.add(drop);
      return { url, dataDir };
    },
    async open(location) {
      const db = await openDatabase(location);
      cleanup.add(() => db.close());
      return db;
    },
    async db(opts = {}) {
      const db = await b.open(await b.location());
      if (opts.migrate ?? true) await migrate(db, opts.components ?? schemaComponents);
      return db;
    },
    blobs(db) {
      const dir = tempDir('blobs');
      cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
      const archive = new FsBlobStore(join(dir, 'archive'));
      const main =
        name === 'sqlite'
          ? new TieredBlobStore(new DbBlobStore(db), new FsBlobStore(join(dir, 'main')), INLINE_MAX)
          : new DbBlobStore(db);
      return new BlobVolumes(main, {
        archive,
      });
    },
    async config(settings = {}) {
      const { url, dataDir } = await b.location();
      const config = Config.create(dataDir, {
        'store.url': url,
        'store.blobs': name === 'sqlite' ? 'fs' : 'postgres',
        ...settings,
      });
      cleanup.add(() => config.close());
      return config;
    },
  };
  return b;
}

/**
 * Runs the suite `fn` once against SQLite and once against PostgreSQL (at MAILSTEAD_TEST_PG_URL;
 * start one with scripts/ci-postgres.sh). An unreachable PostgreSQL fails the suite, it never
 * skips it. Every test gets fresh databases, so test files can run in parallel:
 *
 *   forEachBackend('queue repository', (backend) => {
 *     it('keeps an enqueued message', async () => {
 *       const db = await backend.db();
 *       …
 *     });
 *   });
 */
export function forEachBackend(name: string, fn: (backend: TestBackend) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`${name} [${kind}]`, () => {
      const cleanup = new Cleanup();
      let pool: pg.Pool | undefined;
      const admin = () => (pool ??= new pg.Pool({ connectionString: PG_URL, max: 2 }));
      if (kind === 'postgres') {
        before(async () => {
          try {
            await admin().query('SELECT 1');
          } catch (e) {
            throw new Error(
              `PostgreSQL test database unreachable at ${PG_URL} (${(e as Error).message}). ` +
                'Start one with `scripts/ci-postgres.sh` and set MAILSTEAD_TEST_PG_URL to the URL it prints.',
            );
          }
        });
      }
      afterEach(() => cleanup.run());
      after(async () => {
        await cleanup.run();
        await pool?.end();
      });
      fn(makeBackend(kind, cleanup, admin));
    });
  }
}
