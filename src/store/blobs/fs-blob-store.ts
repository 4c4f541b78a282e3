import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { NotFoundError } from '../../core/errors.js';
import type { BlobRef, BlobStore } from './blob-store.js';

/**
 * Blobs as files `<root>/ab/cd/<hash>`. A blob is written to a temp file, fsynced, renamed into
 * place and its directory fsynced, so once `put` resolves it survives a crash or power loss.
 * Volumes are other roots (e.g. a big disk for an archive account), named in `volumes`.
 */
export class FsBlobStore implements BlobStore {
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly volumes: Record<string, string> = {},
  ) {
    mkdirSync(join(root, 'tmp'), { recursive: true });
  }

  private base(volume?: string): string {
    if (!volume) return this.root;
    const v = this.volumes[volume] ?? (isAbsolute(volume) ? volume : undefined);
    if (!v) throw new NotFoundError(`blob volume ${volume}`);
    return v;
  }

  private pathOf(hash: string, volume?: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`bad blob hash ${hash}`);
    return join(this.base(volume), hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  async put(data: Buffer | AsyncIterable<Buffer>, volume?: string): Promise<BlobRef> {
    const base = this.base(volume);
    const tmpDir = join(base, 'tmp');
    if (!this.madeDirs.has(tmpDir)) {
      mkdirSync(tmpDir, { recursive: true });
      this.madeDirs.add(tmpDir);
    }
    const tmp = join(tmpDir, randomBytes(12).toString('hex'));
    const hasher = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'w', 0o600);
    try {
      const chunks = Buffer.isBuffer(data) ? [data] : data;
      for await (const chunk of chunks) {
        hasher.update(chunk);
        size += chunk.length;
        await fh.write(chunk);
      }
      await fh.sync();
    } catch (e) {
      await fh.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    const hash = hasher.digest('hex');
    const dest = this.pathOf(hash, volume);
    const dir = join(base, hash.slice(0, 2), hash.slice(2, 4));
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // Same content already there: keep the existing file (identical bytes by construction).
    await rename(tmp, dest);
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
    return { hash, size };
  }

  async get(hash: string, volume?: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(hash, volume));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`blob ${hash}`);
      throw e;
    }
  }

  async read(hash: string, start: number, end: number, volume?: string): Promise<Buffer> {
    const fh = await open(this.pathOf(hash, volume), 'r');
    try {
      const buf = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async has(hash: string, volume?: string): Promise<boolean> {
    return stat(this.pathOf(hash, volume)).then(
      () => true,
      () => false,
    );
  }

  async remove(hash: string, volume?: string): Promise<void> {
    await rm(this.pathOf(hash, volume), { force: true });
  }

  async *list(volume?: string): AsyncIterable<{ hash: string; mtime: number }> {
    const base = this.base(volume);
    for (const a of await readdir(base).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await readdir(join(base, a)).catch(() => [] as string[])) {
        for (const h of await readdir(join(base, a, b)).catch(() => [] as string[])) {
          if (!/^[0-9a-f]{64}$/.test(h)) continue;
          const s = await stat(join(base, a, b, h)).catch(() => undefined);
          if (s) yield { hash: h, mtime: s.mtimeMs };
        }
      }
    }
  }
}
