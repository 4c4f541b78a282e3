/**
 * Message bodies, content-addressed by SHA-256: identical bodies are stored once. Reference
 * counts live in the `blobs` table (see blob-refs.ts) and change in the same transaction as the
 * row that references a blob; unreferenced blobs are removed by `collectGarbage`.
 */
export interface BlobRef {
  hash: string;
  size: number;
}

export interface BlobStore {
  /** Stores the bytes durably (fsynced) before resolving. `volume` picks an alternative location. */
  put(data: Buffer | AsyncIterable<Buffer>, volume?: string): Promise<BlobRef>;
  /** The whole blob. */
  get(hash: string, volume?: string): Promise<Buffer>;
  /** A byte range [start, end) of the blob. */
  read(hash: string, start: number, end: number, volume?: string): Promise<Buffer>;
  has(hash: string, volume?: string): Promise<boolean>;
  remove(hash: string, volume?: string): Promise<void>;
  /** Every stored hash with its write time (ms), for garbage collection and repair. */
  list(volume?: string): AsyncIterable<{ hash: string; mtime: number }>;
}
