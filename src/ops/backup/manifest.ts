import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { OperatorError } from '../../core/errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 1;

export interface FileEntry {
  /** Relative to the backup's directory. */
  path: string;
  size: number;
  sha256: string;
}

export interface TableEntry extends FileEntry {
  table: string;
  rows: number;
}

export interface BlobEntry {
  hash: string;
  size: number;
  volume: string;
}

/**
 * What one backup holds. Backups in one destination share a blob pool (blobs are immutable and
 * named by their SHA-256), so each manifest lists the blobs it needs and a later backup copies
 * only the new ones.
 */
export interface BackupManifest {
  format: number;
  id: string;
  createdAt: string;
  /** The backend the dump was read from; restore may load it into either. */
  backend: 'sqlite' | 'postgres';
  /** Schema version per component at the time of the dump. */
  schema: Record<string, number>;
  sequences: Record<string, number>;
  tables: TableEntry[];
  /** Config file, TLS certificates and other data-dir files, under `files/`. */
  files: FileEntry[];
  blobs: BlobEntry[];
  /** Blobs referenced by the store that were not in the blob store when copied. */
  missingBlobs: BlobEntry[];
  /** Blobs this backup added to the pool (the rest were there from earlier backups). */
  newBlobs: number;
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function writeManifest(dir: string, m: BackupManifest): Promise<void> {
  const tmp = join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(m, null, 1), { mode: 0o600 });
  await rename(tmp, join(dir, MANIFEST_FILE));
}

export function readManifest(dir: string): BackupManifest {
  const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as BackupManifest;
  if (m.format !== MANIFEST_FORMAT)
    throw new OperatorError(
      `${dir}: backup format ${m.format} is not one this Mailstead reads (${MANIFEST_FORMAT})`,
    );
  return m;
}

/** Where backups and the shared blob pool live inside a destination. */
export const backupsDir = (dest: string) => join(dest, 'backups');
export const blobPoolDir = (dest: string) => join(dest, 'blobs');
export const pooledBlobPath = (dest: string, hash: string) => join(blobPoolDir(dest), hash.slice(0, 2), hash);

/** Complete backups in a destination, oldest first (ids sort by time; a manifest marks completion). */
export function listBackups(dest: string): string[] {
  const dir = backupsDir(dest);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, MANIFEST_FILE)))
    .sort();
}

/**
 * A backup named by its own directory or by its destination (the newest there):
 * returns the backup directory and the destination holding the blob pool.
 */
export function locateBackup(src: string): { dir: string; dest: string } {
  if (existsSync(join(src, MANIFEST_FILE))) return { dir: src, dest: join(src, '..', '..') };
  const newest = listBackups(src).at(-1);
  if (!newest) throw new OperatorError(`${src} holds no complete Mailstead backup`);
  return { dir: join(backupsDir(src), newest), dest: src };
}
