import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Config } from '../../config/config.js';
import { parseBlobVolumes } from '../../store/store-keys.js';
import { snapshotDir } from '../../store/store.js';
import { fullTextFile } from '../../store/sqlite/full-text-file.js';
import { sha256File, type FileEntry } from './manifest.js';

/**
 * The data dir minus what a backup carries otherwise or not at all: the database file (dumped),
 * blob directories (pooled), pre-upgrade snapshots and logs (history, not state). What is left is
 * the config file, TLS certificates and keys, and whatever else services keep beside them.
 */
function excludedPaths(config: Config, extra: readonly string[]): string[] {
  const out = [
    config.path('store.blob_dir'),
    snapshotDir(config),
    dirname(config.path('log.delivery_file')),
    ...extra,
  ];
  for (const p of Object.values(parseBlobVolumes(config.get<string[]>('store.blob_volumes'))))
    out.push(config.path(p));
  const url = config.get<string>('store.url');
  if (url.startsWith('sqlite:')) {
    const db = config.path(url.slice('sqlite:'.length) || 'mailstead.db');
    // The full-text index is rebuilt from the blobs at restore, like PostgreSQL's.
    const index = fullTextFile(resolve(db));
    out.push(db, `${db}-wal`, `${db}-shm`, `${db}-journal`, index, `${index}-wal`, `${index}-shm`);
  }
  return out.map((p) => resolve(p));
}

function* walk(root: string, dir: string, skip: Set<string>): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (skip.has(p)) continue;
    const st = statSync(p);
    if (st.isDirectory()) yield* walk(root, p, skip);
    else if (st.isFile()) yield relative(root, p);
  }
}

/** Copies the data dir's own files into `into`, returning their checksums; `extra` are paths to leave out too. */
export async function copyDataFiles(
  config: Config,
  into: string,
  extra: readonly string[] = [],
): Promise<FileEntry[]> {
  const root = resolve(config.dataDir);
  const out: FileEntry[] = [];
  for (const rel of walk(root, root, new Set(excludedPaths(config, extra)))) {
    const target = join(into, rel);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(root, rel), target);
    out.push({ path: join('files', rel), size: statSync(target).size, sha256: await sha256File(target) });
  }
  return out;
}

/** Config paths that point outside the data dir, which a backup does not carry (the operator's to keep). */
export function outsidePaths(config: Config): string[] {
  const root = resolve(config.dataDir);
  return ['tls.cert', 'tls.key']
    .map((k) => config.get<string>(k))
    .filter((p) => isAbsolute(p) && !resolve(p).startsWith(root + '/') && existsSync(p));
}
