/**
 * The blobs written most recently, kept in memory up to a byte budget: a message is read back
 * moments after it is stored (content scan, local delivery), and serving those reads from here
 * saves a round of file system calls per message. Oldest first out.
 */
export class RecentBlobs {
  private readonly items = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly budget: number,
    /** Larger blobs are not kept: one would push out many small ones. */
    readonly maxItem: number,
  ) {}

  add(hash: string, data: Buffer): void {
    if (data.length > this.maxItem || this.items.has(hash)) return;
    this.items.set(hash, data);
    this.bytes += data.length;
    for (const [h, b] of this.items) {
      if (this.bytes <= this.budget) break;
      this.items.delete(h);
      this.bytes -= b.length;
    }
  }

  get(hash: string): Buffer | undefined {
    return this.items.get(hash);
  }

  delete(hash: string): void {
    const b = this.items.get(hash);
    if (!b) return;
    this.items.delete(hash);
    this.bytes -= b.length;
  }
}
