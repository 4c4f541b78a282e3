import { createHash } from 'node:crypto';
import { NotFoundError } from '../../core/errors.js';
import type { SqlDb } from '../sql.js';
import type { BlobLocation, BlobRef } from './blob-store.js';

const CHUNK = 256 * 1024;

/** Cuts a stream of buffers into CHUNK-sized pieces (the last one shorter). */
async function* chunked(data: Buffer | AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of Buffer.isBuffer(data) ? [data] : data) {
    let rest = piece;
    while (pendingBytes + rest.length >= CHUNK) {
      const take = CHUNK - pendingBytes;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes || !pending.length) yield Buffer.concat(pending);
}

/**
 * Blobs in PostgreSQL (`store.blobs = postgres`): one `blob_contents` row per body and its bytes
 * in `blob_chunks` of 256 KiB, so a range read fetches only the chunks it needs. Chunks are
 * written under a row without a hash and the hash is set in one transaction at the end, so a
 * reader never sees half a blob; a commit is durable, as every PostgreSQL commit is.
 */
export class PgBlobStore implements BlobLocation {
  constructor(private readonly db: SqlDb) {
    if (db.dialect !== 'postgres') throw new Error('PgBlobStore needs a PostgreSQL store');
  }

  async put(data: Buffer | AsyncIterable<Buffer>): Promise<BlobRef> {
    const upload = await this.db.get<{ id: number }>(
      'INSERT INTO blob_contents (hash, size, chunk_size, created_at) VALUES (NULL, 0, ?, ?) RETURNING id',
      [CHUNK, Date.now()],
    );
    const id = upload!.id;
    const hasher = createHash('sha256');
    let size = 0;
    let seq = 0;
    try {
      for await (const chunk of chunked(data)) {
        hasher.update(chunk);
        size += chunk.length;
        await this.db.run('INSERT INTO blob_chunks (content_id, seq, data) VALUES (?, ?, ?)', [
          id,
          seq++,
          chunk,
        ]);
      }
    } catch (e) {
      await this.db.run('DELETE FROM blob_contents WHERE id = ?', [id]);
      throw e;
    }
    const hash = hasher.digest('hex');
    await this.db.tx(async (t) => {
      // Two puts of the same body finishing together: the lock makes the second see the first.
      await t.get('SELECT pg_advisory_xact_lock(hashtext(?))', [hash]);
      const now = Date.now();
      // An existing copy is re-dated like a rewritten file, so garbage collection spares it.
      const existing = await t.run('UPDATE blob_contents SET created_at = ? WHERE hash = ?', [now, hash]);
      if (existing.changes > 0) await t.run('DELETE FROM blob_contents WHERE id = ?', [id]);
      else
        await t.run('UPDATE blob_contents SET hash = ?, size = ?, created_at = ? WHERE id = ?', [
          hash,
          size,
          now,
          id,
        ]);
    });
    return { hash, size };
  }

  private async content(hash: string): Promise<{ id: number; size: number; chunk_size: number }> {
    const c = await this.db.get<{ id: number; size: number; chunk_size: number }>(
      'SELECT id, size, chunk_size FROM blob_contents WHERE hash = ?',
      [hash],
    );
    if (!c) throw new NotFoundError(`blob ${hash}`);
    return c;
  }

  async get(hash: string): Promise<Buffer> {
    const c = await this.content(hash);
    const rows = await this.db.all<{ data: Buffer }>(
      'SELECT data FROM blob_chunks WHERE content_id = ? ORDER BY seq',
      [c.id],
    );
    return Buffer.concat(rows.map((r) => r.data));
  }

  async read(hash: string, start: number, end: number): Promise<Buffer> {
    const c = await this.content(hash);
    end = Math.min(end, Number(c.size));
    if (end <= start) return Buffer.alloc(0);
    const first = Math.floor(start / c.chunk_size);
    const last = Math.floor((end - 1) / c.chunk_size);
    const rows = await this.db.all<{ data: Buffer }>(
      'SELECT data FROM blob_chunks WHERE content_id = ? AND seq BETWEEN ? AND ? ORDER BY seq',
      [c.id, first, last],
    );
    const offset = first * c.chunk_size;
    return Buffer.concat(rows.map((r) => r.data)).subarray(start - offset, end - offset);
  }

  async has(hash: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM blob_contents WHERE hash = ?', [hash])) !== undefined;
  }

  async remove(hash: string): Promise<void> {
    await this.db.run('DELETE FROM blob_contents WHERE hash = ?', [hash]);
  }

  async *list(): AsyncIterable<{ hash: string; mtime: number }> {
    // Pages by hash so a large store is never held in memory at once.
    let after = '';
    for (;;) {
      const page = await this.db.all<{ hash: string; created_at: number }>(
        'SELECT hash, created_at FROM blob_contents WHERE hash > ? ORDER BY hash LIMIT 1000',
        [after],
      );
      for (const r of page) yield { hash: r.hash, mtime: Number(r.created_at) };
      if (page.length < 1000) return;
      after = page.at(-1)!.hash;
    }
  }

  async sweepTemp(olderThan: number): Promise<number> {
    return (await this.db.run('DELETE FROM blob_contents WHERE hash IS NULL AND created_at < ?', [olderThan]))
      .changes;
  }
}
