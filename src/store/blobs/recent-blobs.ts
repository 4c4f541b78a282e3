import { joined, type BlobLocation, type BlobRef } from './blob-store.js';

/** A few hundred ordinary messages. */
const BUDGET = 16 << 20;
/** Larger blobs are not kept: one would push out many small ones. */
const MAX_ITEM = 1 << 20;

/**
 * A blob location that keeps the blobs written most recently in memory, up to a byte budget,
 * oldest out first: a message is read back moments after it is stored (content scan, local
 * delivery, often twice), and serving those reads from here saves the file system calls or
 * queries of each read. Bodies never change under their hash, so a copy here is never stale.
 */
export class RecentBlobs implements BlobLocation {
  private readonly items = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly inner: BlobLocation,
    private readonly budget = BUDGET,
    private readonly maxItem = MAX_ITEM,
  ) {}

  async put(data: Buffer | AsyncIterable<Buffer>): Promise<BlobRef> {
    if (Buffer.isBuffer(data)) {
      const ref = await this.inner.put(data);
      this.add(ref.hash, data);
      return ref;
    }
    const stream = data;
    const kept: Buffer[] = [];
    let size = 0;
    const maxItem = this.maxItem;
    async function* watched(): AsyncIterable<Buffer> {
      for await (const chunk of stream) {
        size += chunk.length;
        if (size <= maxItem) kept.push(chunk);
        yield chunk;
      }
    }
    const ref = await this.inner.put(watched());
    if (size <= maxItem) this.add(ref.hash, joined(kept, size));
    return ref;
  }

  private add(hash: string, data: Buffer): void {
    if (data.length > this.maxItem || this.items.has(hash)) return;
    this.items.set(hash, data);
    this.bytes += data.length;
    for (const [h, b] of this.items) {
      if (this.bytes <= this.budget) break;
      this.items.delete(h);
      this.bytes -= b.length;
    }
  }

  async get(hash: string): Promise<Buffer> {
    return this.items.get(hash) ?? this.inner.get(hash);
  }

  async getMany(hashes: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const h of hashes) {
      const hit = this.items.get(h);
      if (hit) out.set(h, hit);
      else missing.push(h);
    }
    if (missing.length) for (const [h, b] of await this.inner.getMany(missing)) out.set(h, b);
    return out;
  }

  async read(hash: string, start: number, end: number): Promise<Buffer> {
    const hit = this.items.get(hash);
    return hit ? hit.subarray(start, Math.max(start, end)) : this.inner.read(hash, start, end);
  }

  /** Asked of the store itself: another process (store gc) may have removed the blob meanwhile. */
  has(hash: string): Promise<boolean> {
    return this.inner.has(hash);
  }

  async remove(hash: string): Promise<void> {
    const b = this.items.get(hash);
    if (b) {
      this.items.delete(hash);
      this.bytes -= b.length;
    }
    await this.inner.remove(hash);
  }

  list(): AsyncIterable<{ hash: string; mtime: number }> {
    return this.inner.list();
  }

  sweepTemp(olderThan: number): Promise<number> {
    return this.inner.sweepTemp(olderThan);
  }
}
