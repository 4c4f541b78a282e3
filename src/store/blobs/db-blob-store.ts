import { createHash } from 'node:crypto';
import { NotFoundError } from '../../core/errors.js';
import { GroupCommit } from '../../core/group-commit.js';
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
 * Blobs in the database: every body with `store.blobs = postgres`, and the small ones with the
 * default store (see TieredBlobStore). One `blob_contents` row per body and its bytes in
 * `blob_chunks` of 256 KiB, so a range read fetches only the chunks it needs. A body of one chunk
 * is written in a transaction shared with the other one-chunk bodies of the moment; a longer one
 * is written chunk by chunk under a row without a hash, which is set in one transaction at the
 * end, so a reader never sees half a blob. Writes resolve once committed, and a commit is
 * durable on both backends.
 */
export class DbBlobStore implements BlobLocation {
  private readonly small = new GroupCommit((items: { hash: string; data: Buffer }[]) => this.putMany(items), {
    maxBatch: () => 64,
    delayMs: () => 0,
  });

  constructor(private readonly db: SqlDb) {}

  async put(data: Buffer | AsyncIterable<Buffer>): Promise<BlobRef> {
    if (Buffer.isBuffer(data) && data.length <= CHUNK) return this.putOne(data);
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
      const now = Date.now();
      if (await this.redate(t, hash, now)) await t.run('DELETE FROM blob_contents WHERE id = ?', [id]);
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

  /**
   * A body of at most one chunk: its row and its chunk in a transaction shared with the other
   * such bodies of the moment (group commit), one commit to wait for.
   */
  private async putOne(data: Buffer): Promise<BlobRef> {
    const hash = createHash('sha256').update(data).digest('hex');
    await this.small.submit({ hash, data });
    return { hash, size: data.length };
  }

  private async putMany(items: { hash: string; data: Buffer }[]): Promise<void> {
    // Sorted, so two writers taking PostgreSQL's per-hash locks take them in the same order.
    const sorted = [...items].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    // durableLater: a body is of use only once a row refers to it, and that row's commit, later
    // in the same log, is waited for; one fsync per message saved on SQLite.
    await this.db.tx(
      async (t) => {
        const now = Date.now();
        for (const { hash, data } of sorted) {
          if (await this.redate(t, hash, now)) continue;
          const row = await t.get<{ id: number }>(
            'INSERT INTO blob_contents (hash, size, chunk_size, created_at) VALUES (?, ?, ?, ?) RETURNING id',
            [hash, data.length, CHUNK, now],
          );
          await t.run('INSERT INTO blob_chunks (content_id, seq, data) VALUES (?, 0, ?)', [row!.id, data]);
        }
      },
      { durableLater: true },
    );
  }

  /**
   * Inside a put's transaction: whether `hash` is stored already, re-dating it like a rewritten
   * file if so, so garbage collection spares it.
   */
  private async redate(t: SqlDb, hash: string, now: number): Promise<boolean> {
    // Two puts of the same body finishing together: the lock makes the second see the first.
    // (SQLite needs none: its write transactions run one at a time.)
    if (t.dialect === 'postgres') await t.get('SELECT pg_advisory_xact_lock(hashtext(?))', [hash]);
    return (await t.run('UPDATE blob_contents SET created_at = ? WHERE hash = ?', [now, hash])).changes > 0;
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

  async getMany(hashes: readonly string[]): Promise<Map<string, Buffer>> {
    const parts = new Map<string, Buffer[]>();
    for (let i = 0; i < hashes.length; i += 500) {
      const some = hashes.slice(i, i + 500);
      const rows = await this.db.all<{ hash: string; data: Buffer }>(
        `SELECT c.hash, k.data FROM blob_contents c JOIN blob_chunks k ON k.content_id = c.id
         WHERE c.hash IN (${some.map(() => '?').join(', ')}) ORDER BY c.hash, k.seq`,
        some,
      );
      for (const r of rows) {
        const got = parts.get(r.hash);
        if (got) got.push(r.data);
        else parts.set(r.hash, [r.data]);
      }
    }
    const out = new Map<string, Buffer>();
    for (const [h, p] of parts) out.set(h, p.length === 1 ? p[0]! : Buffer.concat(p));
    return out;
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
