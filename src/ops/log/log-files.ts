import { existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** One file of the delivery log as found on disk. `ino` follows a file across a rename. */
export interface LogFile {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  current: boolean;
}

function nameParts(file: string): { dir: string; stem: string; ext: string } {
  const ext = extname(file);
  return { dir: dirname(file), stem: basename(file, ext), ext };
}

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** `delivery.jsonl` rotated at a moment becomes `delivery-20240501T120000Z.jsonl`. */
export function rotatedName(file: string, at: number): string {
  const { dir, stem, ext } = nameParts(file);
  return join(dir, `${stem}-${stamp(at)}${ext}`);
}

/** The current log and every rotated one, oldest first (rotated names sort by date). */
export function listLogFiles(file: string): LogFile[] {
  const { dir, stem, ext } = nameParts(file);
  if (!existsSync(dir)) return [];
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rotated = new RegExp(`^${escaped(stem)}-(\\d{8}T\\d{6}Z)(?:-(\\d+))?${escaped(ext)}$`);
  const order = (n: string) => {
    const m = rotated.exec(n)!;
    return `${m[1]}-${(m[2] ?? '').padStart(6, '0')}`;
  };
  const names = readdirSync(dir)
    .filter((n) => rotated.test(n))
    .sort((a, b) => (order(a) < order(b) ? -1 : 1));
  const out: LogFile[] = [];
  for (const [name, current] of [...names.map((n) => [n, false] as const), [basename(file), true] as const]) {
    const path = join(dir, name);
    try {
      const st = statSync(path);
      out.push({ path, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, current });
    } catch {
      // Deleted between readdir and stat (retention in another process): nothing to read.
    }
  }
  return out;
}

/**
 * Renames the current log to a dated file when it has reached `maxBytes` (or when forced).
 * A writer holding the old file open keeps appending to the dated file until it reopens; the
 * index follows files by inode, so those lines are still counted. Returns the new name, if any.
 */
export function rotateDeliveryLog(
  file: string,
  maxBytes: number,
  now: number,
  force = false,
): string | undefined {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size === 0 || (!force && (maxBytes <= 0 || size < maxBytes))) return undefined;
  let target = rotatedName(file, now);
  for (let i = 1; existsSync(target); i++) {
    const { dir, stem, ext } = nameParts(file);
    target = join(dir, `${stem}-${stamp(now)}-${i}${ext}`);
  }
  renameSync(file, target);
  return target;
}

/** Deletes rotated logs last written before `now - retentionMs`; the current log is never deleted. */
export function pruneDeliveryLogs(file: string, retentionMs: number, now: number): string[] {
  if (retentionMs <= 0) return [];
  const removed: string[] = [];
  for (const f of listLogFiles(file)) {
    if (f.current || f.mtimeMs >= now - retentionMs) continue;
    unlinkSync(f.path);
    removed.push(f.path);
  }
  return removed;
}
