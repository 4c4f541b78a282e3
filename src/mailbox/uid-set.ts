import type { UidSet } from './types.js';

/** Compresses sorted-or-not uids into merged ranges. */
export function toUidSet(uids: Iterable<number>): UidSet {
  const sorted = [...uids].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const u of sorted) {
    const last = out.at(-1);
    if (last && u <= last[1] + 1) last[1] = Math.max(last[1], u);
    else out.push([u, u]);
  }
  return out;
}

/** Sorts and merges ranges that may overlap or be reversed (`5:3`). */
export function normalizeUidSet(set: UidSet): UidSet {
  const ranges = set
    .map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number])
    .sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of ranges) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function uidSetHas(set: UidSet, uid: number): boolean {
  let lo = 0;
  let hi = set.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = set[mid]!;
    if (uid < a) hi = mid - 1;
    else if (uid > b) lo = mid + 1;
    else return true;
  }
  return false;
}

export function formatUidSet(set: UidSet): string {
  return set.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',');
}

/** Ranges per statement, keeping statements and their parameter lists short. */
const RANGES_PER_STATEMENT = 50;

/**
 * SQL conditions on `column` covering the set, each with its parameters, in ascending uid
 * order: one for a plain set, several for a fragmented one (run one statement per condition).
 */
export function uidSetSql(column: string, set: UidSet): Array<{ sql: string; params: number[] }> {
  const norm = normalizeUidSet(set);
  const out: Array<{ sql: string; params: number[] }> = [];
  for (let i = 0; i < norm.length; i += RANGES_PER_STATEMENT) {
    const parts: string[] = [];
    const params: number[] = [];
    for (const [a, b] of norm.slice(i, i + RANGES_PER_STATEMENT)) {
      parts.push(a === b ? `${column} = ?` : `${column} BETWEEN ? AND ?`);
      params.push(...(a === b ? [a] : [a, b]));
    }
    out.push({ sql: `(${parts.join(' OR ')})`, params });
  }
  return out;
}
