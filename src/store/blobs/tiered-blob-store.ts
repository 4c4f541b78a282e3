import { NotFoundError } from '../../core/errors.js';
import { joined, type BlobLocation, type BlobRef } from './blob-store.js';

/**
 * The default blob store: bodies up to `inlineMax` bytes in the database, larger ones as files.
 *
 * A file costs two fsyncs of its own (the file, then its directory) plus creating, renaming and
 * often a directory; a small body in the database is a row in a commit that the WAL fsync shares
 * with every other commit of the moment. Most mail is small, so most deliveries skip the file
 * system entirely, while big attachments stay out of the database and its WAL.
 *
 * A body's size alone decides its tier, so a hash lives in one tier only; blobs written before
 * the tier existed are files of any size and are found there.
 */
export class TieredBlobStore implements BlobLocation {
  constructor(
    private readonly small: BlobLocation,
    private readonly large: BlobLocation,
    private readonly inlineMax: number,
  ) {}

  async put(data: Buffer | AsyncIterable<Buffer>): Promise<BlobRef> {
    if (Buffer.isBuffer(data)) return (data.length <= this.inlineMax ? this.small : this.large).put(data);
    // Buffer the stream until it is known to be small (it ends) or large (it passes inlineMax).
    const it = data[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let size = 0;
    for (;;) {
      const { value, done } = await it.next();
      if (done) return this.small.put(joined(head, size));
      head.push(value);
      size += value.length;
      if (size > this.inlineMax) break;
    }
    async function* rest(): AsyncIterable<Buffer> {
      try {
        yield* head;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      } finally {
        await it.return?.();
      }
    }
    return this.large.put(rest());
  }

  /** Runs `op` on the small tier, then on the large one when the small tier has no such blob. */
  private async either<T>(op: (at: BlobLocation) => Promise<T>): Promise<T> {
    try {
      return await op(this.small);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      return op(this.large);
    }
  }

  get(hash: string): Promise<Buffer> {
    return this.either((at) => at.get(hash));
  }

  async getMany(hashes: readonly string[]): Promise<Map<string, Buffer>> {
    const out = await this.small.getMany(hashes);
    const rest = hashes.filter((h) => !out.has(h));
    if (rest.length) for (const [h, b] of await this.large.getMany(rest)) out.set(h, b);
    return out;
  }

  read(hash: string, start: number, end: number): Promise<Buffer> {
    return this.either((at) => at.read(hash, start, end));
  }

  async has(hash: string): Promise<boolean> {
    return (await this.small.has(hash)) || this.large.has(hash);
  }

  async remove(hash: string): Promise<void> {
    await this.small.remove(hash);
    await this.large.remove(hash);
  }

  async *list(): AsyncIterable<{ hash: string; mtime: number }> {
    yield* this.small.list();
    yield* this.large.list();
  }

  async sweepTemp(olderThan: number): Promise<number> {
    return (await this.small.sweepTemp(olderThan)) + (await this.large.sweepTemp(olderThan));
  }
}
