import type { BlobRef, BlobStore } from '../store/blobs/blob-store.js';

const CHUNK = 256 * 1024;

/** A stored message as a stream of chunks, so scanners never hold a large message whole. */
export async function* blobChunks(blobs: BlobStore, blob: BlobRef): AsyncGenerator<Buffer> {
  for (let off = 0; off < blob.size; off += CHUNK)
    yield await blobs.read(blob.hash, off, Math.min(blob.size, off + CHUNK));
}
