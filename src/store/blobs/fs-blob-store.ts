import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NotFoundError } from '../../core/errors.js';
import type { BlobLocation, BlobRef } from './blob-store.js';

const HASH = /^[0-9a-f]{64}$/;
const fsyncAsync = promisify(fsync);

function notFoundAsError(hash: string) {
  return (e: unknown): never => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`blob ${hash}`);
    throw e;
  };
}

/**
 * Blobs as files `<root>/ab/cd/<hash>`. A blob is written to a temp file, fsynced, renamed into
 * place and its directory fsynced, so once `put` resolves it survives a crash or power loss.
 */
export class FsBlobStore implements BlobLocation {
  private readonly madeDirs = new Set<string>();
  private readonly tmpDir: string;

  constructor(private readonly root: string) {
    this.tmpDir = join(root, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true });
  }

  private pathOf(hash: string): string {
    if (!HASH.test(hash)) throw new Error(`bad blob hash ${hash}`);
    return join(this.root, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  /**
   * Opening, writing, renaming and closing run synchronously: on a local file system they take
   * microseconds, and each trip through the thread pool would cost a thread switch. Only the two
   * fsyncs, which take milliseconds, go to the thread pool.
   */
  async put(data: Buffer | AsyncIterable<Buffer>): Promise<BlobRef> {
    const tmp = join(this.tmpDir, randomBytes(12).toString('hex'));
    const hasher = createHash('sha256');
    let size = 0;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for await (const chunk of Buffer.isBuffer(data) ? [data] : data) {
        hasher.update(chunk);
        size += chunk.length;
        for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
      }
      await fsyncAsync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    const hash = hasher.digest('hex');
    const dir = join(this.root, hash.slice(0, 2), hash.slice(2, 4));
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // Same content already there: replacing it with identical bytes is harmless.
    renameSync(tmp, this.pathOf(hash));
    const dfd = openSync(dir, 'r');
    try {
      await fsyncAsync(dfd);
    } finally {
      closeSync(dfd);
    }
    return { hash, size };
  }

  async get(hash: string): Promise<Buffer> {
    return readFile(this.pathOf(hash)).catch(notFoundAsError(hash));
  }

  async getMany(hashes: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    await Promise.all(
      hashes.map((h) =>
        this.get(h).then(
          (b) => void out.set(h, b),
          (e: unknown) => {
            if (!(e instanceof NotFoundError)) throw e;
          },
        ),
      ),
    );
    return out;
  }

  async read(hash: string, start: number, end: number): Promise<Buffer> {
    const fh = await open(this.pathOf(hash), 'r').catch(notFoundAsError(hash));
    try {
      const buf = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async has(hash: string): Promise<boolean> {
    return stat(this.pathOf(hash)).then(
      () => true,
      () => false,
    );
  }

  async remove(hash: string): Promise<void> {
    await rm(this.pathOf(hash), { force: true });
  }

  async *list(): AsyncIterable<{ hash: string; mtime: number }> {
    const dirs = (p: string) => readdir(p).catch(() => [] as string[]);
    for (const a of await dirs(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await dirs(join(this.root, a))) {
        for (const h of await dirs(join(this.root, a, b))) {
          if (!HASH.test(h)) continue;
          const s = await stat(join(this.root, a, b, h)).catch(() => undefined);
          if (s) yield { hash: h, mtime: s.mtimeMs };
        }
      }
    }
  }

  async sweepTemp(olderThan: number): Promise<number> {
    let n = 0;
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      const p = join(this.tmpDir, name);
      const s = await stat(p).catch(() => undefined);
      if (s && s.mtimeMs < olderThan) {
        await rm(p, { force: true });
        n++;
      }
    }
    return n;
  }
}
