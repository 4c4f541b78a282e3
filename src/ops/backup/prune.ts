import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OperatorError } from '../../core/errors.js';
import { withDestLock } from './lock.js';
import { backupsDir, blobPoolDir, listBackups, MANIFEST_FILE, readManifest } from './manifest.js';

export interface PrunePolicy {
  /** Keep the newest N backups. */
  keep?: number;
  /** Keep backups made within the last D days. */
  keepDays?: number;
  dryRun?: boolean;
  now?: Date;
}

export interface PruneResult {
  kept: string[];
  removed: string[];
  /** Directories without a manifest: runs that were interrupted. */
  incomplete: string[];
  /** Bytes of the removed backup directories (dumps and files), bodies apart. */
  removedBackupBytes: number;
  removedBlobs: number;
  removedBlobBytes: number;
  keptBlobs: number;
}

const DAY_MS = 86_400_000;

function dirBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name));
    n += st.isDirectory() ? dirBytes(join(dir, name)) : st.size;
  }
  return n;
}

/** Which backups a policy keeps (a backup is kept when any rule keeps it; the newest always is). */
export function chooseKept(
  backups: readonly { id: string; createdAt: string }[],
  policy: PrunePolicy,
): Set<string> {
  if (policy.keep === undefined && policy.keepDays === undefined)
    throw new OperatorError('prune needs --keep N and/or --keep-days D');
  if (policy.keep !== undefined && !(Number.isInteger(policy.keep) && policy.keep >= 1))
    throw new OperatorError(`--keep must be a whole number of backups, at least 1 (got ${policy.keep})`);
  if (policy.keepDays !== undefined && !(Number.isFinite(policy.keepDays) && policy.keepDays >= 0))
    throw new OperatorError(`--keep-days must be a number of days, 0 or more (got ${policy.keepDays})`);
  const newestFirst = [...backups].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const kept = new Set<string>(newestFirst.slice(0, Math.max(1, policy.keep ?? 0)).map((b) => b.id));
  if (policy.keepDays !== undefined) {
    const cutoff = (policy.now ?? new Date()).getTime() - policy.keepDays * DAY_MS;
    for (const b of backups) if (Date.parse(b.createdAt) >= cutoff) kept.add(b.id);
  }
  return kept;
}

/**
 * Deletes the backups a policy does not keep, then every pooled body no remaining manifest lists.
 * Manifests go first, so a prune cut short leaves only complete backups and incomplete directories
 * (which the next prune removes), never a manifest whose bodies are gone. Holds DEST's lock: a
 * running backup has bodies in the pool that no manifest lists yet.
 */
export async function pruneBackups(dest: string, policy: PrunePolicy): Promise<PruneResult> {
  dest = resolve(dest);
  if (!existsSync(backupsDir(dest)))
    throw new OperatorError(`${dest} holds no Mailstead backups (no ${backupsDir(dest)})`);
  return withDestLock(dest, 'backup prune', async () => {
    const ids = listBackups(dest);
    const manifests = ids.map((id) => readManifest(join(backupsDir(dest), id)));
    const kept = chooseKept(manifests, policy);
    const removed = ids.filter((id) => !kept.has(id));
    const incomplete = readdirSync(backupsDir(dest)).filter(
      (id) => !existsSync(join(backupsDir(dest), id, MANIFEST_FILE)),
    );
    const referenced = new Set<string>();
    for (const m of manifests) if (kept.has(m.id)) for (const b of m.blobs) referenced.add(b.hash);

    let removedBlobs = 0;
    let removedBlobBytes = 0;
    const unreferenced: string[] = [];
    const pool = blobPoolDir(dest);
    if (existsSync(pool))
      for (const prefix of readdirSync(pool))
        for (const name of readdirSync(join(pool, prefix))) {
          if (referenced.has(name)) continue;
          const p = join(pool, prefix, name);
          unreferenced.push(p);
          removedBlobs++;
          removedBlobBytes += statSync(p).size;
        }
    const result: PruneResult = {
      kept: ids.filter((id) => kept.has(id)),
      removed,
      incomplete,
      removedBackupBytes: [...removed, ...incomplete].reduce(
        (n, id) => n + dirBytes(join(backupsDir(dest), id)),
        0,
      ),
      removedBlobs,
      removedBlobBytes,
      keptBlobs: referenced.size,
    };
    if (policy.dryRun) return result;
    for (const id of [...removed, ...incomplete]) {
      await rm(join(backupsDir(dest), id, MANIFEST_FILE), { force: true });
      await rm(join(backupsDir(dest), id), { recursive: true, force: true });
    }
    for (const p of unreferenced) await rm(p, { force: true });
    return result;
  });
}
