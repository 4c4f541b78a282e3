import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config/config.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import type { SqlDb } from '../../store/sql.js';
import { copyDataFiles } from './data-files.js';
import {
  backupsDir,
  blobPoolDir,
  MANIFEST_FORMAT,
  pooledBlobPath,
  writeManifest,
  type BackupManifest,
  type BlobEntry,
} from './manifest.js';
import { withDestLock } from './lock.js';
import { noProgress, type ProgressListener } from './progress.js';
import { dumpTables, withConsistentView } from './store-dump.js';

export interface BackupSource {
  config: Config;
  db: SqlDb;
  blobs: BlobStore;
}

const PARALLEL_COPIES = 8;

/** Sortable, filesystem-safe, unique enough for one destination. */
function backupId(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/**
 * An online backup into `dest`: the store as of one instant (see withConsistentView), the blobs it
 * references (only those the pool does not have yet), and the data dir's own files. The manifest
 * is written last, so a backup without one is an interrupted run and is never restored from.
 */
export async function runBackup(
  src: BackupSource,
  dest: string,
  progress: ProgressListener = noProgress,
): Promise<BackupManifest & { dir: string }> {
  dest = resolve(dest);
  return withDestLock(dest, 'backup', () => backupLocked(src, dest, progress));
}

async function backupLocked(
  src: BackupSource,
  dest: string,
  progress: ProgressListener,
): Promise<BackupManifest & { dir: string }> {
  const id = backupId();
  const dir = join(backupsDir(dest), id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { dump, blobs } = await withConsistentView(src.db, join(dir, 'scratch'), async (view) => ({
    dump: await dumpTables(view, dir, progress),
    blobs: (
      await view.all<BlobEntry>('SELECT hash, size, volume FROM blobs WHERE refs > 0 ORDER BY hash')
    ).map((b) => ({ hash: b.hash, size: Number(b.size), volume: b.volume ?? '' })),
  }));
  await rm(join(dir, 'scratch'), { recursive: true, force: true });
  const copied = await copyBlobs(src.blobs, dest, blobs, progress);
  const files = await copyDataFiles(src.config, join(dir, 'files'), [dest]);
  progress({ phase: 'files', done: files.length, total: files.length });
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    id,
    createdAt: new Date().toISOString(),
    backend: src.db.dialect,
    schema: dump.schema,
    sequences: dump.sequences,
    tables: dump.tables,
    files,
    blobs: blobs.filter((b) => !copied.missing.has(b.hash)),
    missingBlobs: blobs.filter((b) => copied.missing.has(b.hash)),
    newBlobs: copied.added,
  };
  await writeManifest(dir, manifest);
  return { ...manifest, dir };
}

/** Copies into the pool the blobs it lacks; a pooled file is trusted by name and size (it was verified when written). */
async function copyBlobs(
  store: BlobStore,
  dest: string,
  blobs: readonly BlobEntry[],
  progress: ProgressListener,
): Promise<{ added: number; missing: Set<string> }> {
  mkdirSync(blobPoolDir(dest), { recursive: true });
  const missing = new Set<string>();
  let added = 0;
  let done = 0;
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < blobs.length) {
      const b = blobs[next++]!;
      const target = pooledBlobPath(dest, b.hash);
      if (!(existsSync(target) && statSync(target).size === b.size)) {
        if (await copyBlob(store, b, target)) added++;
        else missing.add(b.hash);
      }
      done++;
      bytes += b.size;
      progress({ phase: 'blobs', done, total: blobs.length, bytes });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_COPIES }, worker));
  return { added, missing };
}

async function copyBlob(store: BlobStore, b: BlobEntry, target: string): Promise<boolean> {
  let data: Buffer;
  try {
    data = await store.get(b.hash, b.volume || undefined);
  } catch (e) {
    // Collected between the snapshot and the copy, or lost: the manifest says which.
    if (!(await store.has(b.hash, b.volume || undefined))) return false;
    throw e;
  }
  const actual = createHash('sha256').update(data).digest('hex');
  if (actual !== b.hash)
    throw new Error(`blob ${b.hash} is corrupt in the blob store (its content hashes to ${actual})`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, target);
  return true;
}
