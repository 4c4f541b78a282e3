import type { SqlDb } from '../sql.js';
import type { BlobRef, BlobStore } from './blob-store.js';

/** Counts `n` more references to a stored blob; call inside the transaction that stores the referencing rows. */
export async function addBlobRefs(db: SqlDb, ref: BlobRef, n = 1, volume = ''): Promise<void> {
  await db.run(
    `INSERT INTO blobs (hash, volume, size, refs, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (hash, volume) DO UPDATE SET refs = blobs.refs + excluded.refs`,
    [ref.hash, volume, ref.size, n, Date.now()],
  );
}

/** Drops `n` references; the blob is deleted by the next garbage collection once none remain. */
export async function releaseBlobRefs(db: SqlDb, hash: string, n = 1, volume = ''): Promise<void> {
  await db.run('UPDATE blobs SET refs = refs - ? WHERE hash = ? AND volume = ?', [n, hash, volume]);
}

export interface GcProgress {
  phase: 'references' | 'blobs' | 'temp';
  /** Items looked at so far in this phase. */
  done: number;
}

export interface GcResult {
  /** Reference rows at zero that were deleted. */
  released: number;
  /** Their bytes. */
  releasedBytes: number;
  /** Stored blobs without a reference row that were deleted. */
  removed: number;
  /** Leftovers of interrupted writes that were deleted. */
  temp: number;
}

/**
 * Deletes what nobody references: first reference rows at zero, then stored blobs without a row
 * in any volume. Only blobs written more than `graceMs` ago go: a `put` whose referencing
 * transaction has not committed yet, or that re-stored a body whose row was just released,
 * looks unreferenced but is about to be used.
 */
export async function collectGarbage(
  db: SqlDb,
  blobs: BlobStore,
  opts: { graceMs?: number; onProgress?: (p: GcProgress) => void } = {},
): Promise<GcResult> {
  const cutoff = Date.now() - (opts.graceMs ?? 3_600_000);
  const result: GcResult = { released: 0, releasedBytes: 0, removed: 0, temp: 0 };
  const dead = await db.all<{ hash: string; volume: string; size: number }>(
    'SELECT hash, volume, size FROM blobs WHERE refs <= 0',
  );
  for (const [i, b] of dead.entries()) {
    // `refs <= 0` again: a delivery may have taken a new reference since the select.
    const { changes } = await db.run('DELETE FROM blobs WHERE hash = ? AND volume = ? AND refs <= 0', [
      b.hash,
      b.volume,
    ]);
    if (changes > 0) {
      result.released++;
      result.releasedBytes += Number(b.size);
    }
    opts.onProgress?.({ phase: 'references', done: i + 1 });
  }
  let seen = 0;
  for (const volume of blobs.volumes) {
    for await (const f of blobs.list(volume)) {
      opts.onProgress?.({ phase: 'blobs', done: ++seen });
      if (f.mtime > cutoff) continue;
      if (await db.get('SELECT 1 AS x FROM blobs WHERE hash = ? AND volume = ?', [f.hash, volume])) continue;
      await blobs.remove(f.hash, volume);
      result.removed++;
    }
  }
  result.temp = await blobs.sweepTemp(cutoff);
  opts.onProgress?.({ phase: 'temp', done: result.temp });
  return result;
}
