import type { SchemaComponent } from '../migration.js';
import { ddl, type SqlDb } from '../sql.js';
import type { BlobRef, BlobStore } from './blob-store.js';

export const blobsSchema: SchemaComponent = {
  name: 'blobs',
  migrations: [
    {
      version: 1,
      name: 'blob reference counts',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE blobs (
              hash TEXT PRIMARY KEY,
              size {{bigint}} NOT NULL,
              refs INTEGER NOT NULL,
              volume TEXT NOT NULL DEFAULT '',
              created_at {{bigint}} NOT NULL
            );
            CREATE INDEX blobs_unreferenced ON blobs (refs) WHERE refs <= 0;`,
          ),
        );
      },
    },
  ],
};

/** Counts `n` more references to a stored blob; call inside the transaction that stores the referencing rows. */
export async function addBlobRefs(db: SqlDb, ref: BlobRef, n = 1, volume = ''): Promise<void> {
  await db.run(
    `INSERT INTO blobs (hash, size, refs, volume, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (hash) DO UPDATE SET refs = blobs.refs + excluded.refs`,
    [ref.hash, ref.size, n, volume, Date.now()],
  );
}

/** Drops `n` references; the blob is deleted by the next garbage collection once none remain. */
export async function releaseBlobRefs(db: SqlDb, hash: string, n = 1): Promise<void> {
  await db.run('UPDATE blobs SET refs = refs - ? WHERE hash = ?', [n, hash]);
}

/**
 * Deletes blobs nobody references: rows at zero references, and files with no row at all that
 * are older than `graceMs` (a `put` whose transaction has not committed yet must survive).
 */
export async function collectGarbage(db: SqlDb, blobs: BlobStore, graceMs = 3_600_000): Promise<{ removed: number; bytes: number }> {
  let removed = 0;
  let bytes = 0;
  const dead = await db.all<{ hash: string; size: number; volume: string }>('SELECT hash, size, volume FROM blobs WHERE refs <= 0');
  for (const b of dead) {
    // Re-check inside a transaction: a delivery may have taken a new reference meanwhile.
    const gone = await db.tx(async (t) => (await t.run('DELETE FROM blobs WHERE hash = ? AND refs <= 0', [b.hash])).changes > 0);
    if (!gone) continue;
    await blobs.remove(b.hash, b.volume || undefined);
    removed++;
    bytes += Number(b.size);
  }
  const cutoff = Date.now() - graceMs;
  for await (const f of blobs.list()) {
    if (f.mtime > cutoff) continue;
    const row = await db.get('SELECT 1 AS x FROM blobs WHERE hash = ?', [f.hash]);
    if (!row) {
      await blobs.remove(f.hash);
      removed++;
    }
  }
  return { removed, bytes };
}
