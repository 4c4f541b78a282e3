import { NotFoundError } from '../../core/errors.js';
import type { BlobLocation, BlobRef, BlobStore } from './blob-store.js';

/** Routes each call to the default location or to a named volume. */
export class BlobVolumes implements BlobStore {
  readonly volumes: readonly string[];

  constructor(
    private readonly defaultLocation: BlobLocation,
    private readonly named: Readonly<Record<string, BlobLocation>> = {},
  ) {
    this.volumes = ['', ...Object.keys(named)];
  }

  private at(volume: string | undefined): BlobLocation {
    if (!volume) return this.defaultLocation;
    const v = this.named[volume];
    if (!v) throw new NotFoundError(`blob volume ${volume} (see store.blob_volumes)`);
    return v;
  }

  put(data: Buffer | AsyncIterable<Buffer>, volume?: string): Promise<BlobRef> {
    return this.at(volume).put(data);
  }
  get(hash: string, volume?: string): Promise<Buffer> {
    return this.at(volume).get(hash);
  }
  getMany(hashes: readonly string[], volume?: string): Promise<Map<string, Buffer>> {
    return this.at(volume).getMany(hashes);
  }
  read(hash: string, start: number, end: number, volume?: string): Promise<Buffer> {
    return this.at(volume).read(hash, start, end);
  }
  has(hash: string, volume?: string): Promise<boolean> {
    return this.at(volume).has(hash);
  }
  remove(hash: string, volume?: string): Promise<void> {
    return this.at(volume).remove(hash);
  }
  list(volume?: string): AsyncIterable<{ hash: string; mtime: number }> {
    return this.at(volume).list();
  }
  async sweepTemp(olderThan: number): Promise<number> {
    let n = 0;
    for (const v of this.volumes) n += await this.at(v).sweepTemp(olderThan);
    return n;
  }
}
