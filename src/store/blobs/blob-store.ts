/**
 * Message bodies, content-addressed by SHA-256: identical bodies are stored once. Reference
 * counts live in the `blobs` table (see blob-refs.ts) and change in the same transaction as the
 * row that references a blob; unreferenced blobs are removed by `collectGarbage`.
 */
export interface BlobRef {
  hash: string;
  size: number;
}

/** One place blobs live: a directory (FsBlobStore), database tables (DbBlobStore) or both (TieredBlobStore). */
export interface BlobLocation {
  /**
   * Stores the bytes durably before resolving, or, in the database, no later than the next
   * commit that is waited for (the one that stores a reference to the blob; see TxOptions).
   */
  put(data: Buffer | AsyncIterable<Buffer>): Promise<BlobRef>;
  /** The whole blob. */
  get(hash: string): Promise<Buffer>;
  /**
   * Several whole blobs at once, for readers of many small messages (POP3 RETR read-ahead): one
   * query or one round of reads instead of one per blob. Hashes not stored here are left out.
   */
  getMany(hashes: readonly string[]): Promise<Map<string, Buffer>>;
  /** A byte range [start, end) of the blob; shorter when the blob ends first. */
  read(hash: string, start: number, end: number): Promise<Buffer>;
  has(hash: string): Promise<boolean>;
  remove(hash: string): Promise<void>;
  /** Every stored hash with its write time (ms), for garbage collection and repair. */
  list(): AsyncIterable<{ hash: string; mtime: number }>;
  /** Deletes the leftovers of `put`s interrupted before `olderThan` (ms) by a crash; returns how many. */
  sweepTemp(olderThan: number): Promise<number>;
}

/**
 * What services use: the default location plus named volumes (`store.blob_volumes`), so one
 * account's mail can live elsewhere. `volume` '' or undefined means the default location.
 */
export interface BlobStore {
  /** '' (the default location) and every named volume. */
  readonly volumes: readonly string[];
  put(data: Buffer | AsyncIterable<Buffer>, volume?: string): Promise<BlobRef>;
  get(hash: string, volume?: string): Promise<Buffer>;
  getMany(hashes: readonly string[], volume?: string): Promise<Map<string, Buffer>>;
  read(hash: string, start: number, end: number, volume?: string): Promise<Buffer>;
  has(hash: string, volume?: string): Promise<boolean>;
  remove(hash: string, volume?: string): Promise<void>;
  list(volume?: string): AsyncIterable<{ hash: string; mtime: number }>;
  sweepTemp(olderThan: number): Promise<number>;
}

/**
 * The pieces of a streamed body as one buffer. A body that crossed from the SMTP thread in one
 * piece is that piece: a 100 KB message copied twice more on its way to the store was most of
 * the main thread's buffer allocation, and the garbage collections it set off. A piece over
 * larger memory is copied, or whoever keeps it would keep all of that memory: a small body
 * comes from the SMTP thread cloned with the 8 KiB of Node's buffer pool it was cut from.
 */
export function joined(pieces: Buffer[], size: number): Buffer {
  const one = pieces.length === 1 ? pieces[0]! : undefined;
  return one && one.byteOffset === 0 && one.byteLength === one.buffer.byteLength
    ? one
    : Buffer.concat(pieces, size);
}
