/**
 * ENVELOPE responses as sent, by body id (the envelope depends only on the stored body), most
 * recently used last, within a byte budget. Kept as latin1 strings: one compact object per
 * entry, written to the response without conversion. Envelopes are encoded without UTF-8
 * quoting (8-bit text as literals), a form every session accepts.
 */
export class EnvelopeCache {
  private readonly entries = new Map<number, string>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(bodyId: number): string | undefined {
    const e = this.entries.get(bodyId);
    if (e !== undefined) {
      this.entries.delete(bodyId);
      this.entries.set(bodyId, e);
    }
    return e;
  }

  set(bodyId: number, encoded: string): void {
    if (encoded.length > this.budget) return;
    const old = this.entries.get(bodyId);
    if (old !== undefined) {
      this.bytes -= old.length;
      this.entries.delete(bodyId);
    }
    this.entries.set(bodyId, encoded);
    this.bytes += encoded.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.budget) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  /** Bytes held (for tests). */
  get size(): number {
    return this.bytes;
  }
}
