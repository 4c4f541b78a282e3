import { ImapParseError } from './errors.js';

/** `*`: the largest number in use (message count or highest UID), known only when the set is used. */
export type SeqNumber = number | '*';

/** A parsed sequence set; `$` (SEARCHRES) is kept apart because it refers to the saved result. */
export type SequenceSet =
  { saved: true } | { saved: false; ranges: ReadonlyArray<readonly [SeqNumber, SeqNumber]> };

/** Sorted, merged, inclusive ranges of concrete numbers: `1:4294967295` is one pair. */
export type RangeList = ReadonlyArray<readonly [number, number]>;

export const MAX_NUMBER = 4294967295;

export function parseNzNumber(text: string, what = 'number'): number {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new ImapParseError(`Invalid ${what}`);
  const n = Number(text);
  if (n > MAX_NUMBER) throw new ImapParseError(`Invalid ${what}`);
  return n;
}

function parseSeqNumber(text: string): SeqNumber {
  return text === '*' ? '*' : parseNzNumber(text, 'sequence number');
}

export function parseSequenceSet(text: string): SequenceSet {
  if (text === '$') return { saved: true };
  if (text.length === 0) throw new ImapParseError('Empty sequence set');
  const ranges: Array<readonly [SeqNumber, SeqNumber]> = [];
  for (const part of text.split(',')) {
    const colon = part.indexOf(':');
    if (colon < 0) {
      const n = parseSeqNumber(part);
      ranges.push([n, n]);
    } else {
      ranges.push([parseSeqNumber(part.slice(0, colon)), parseSeqNumber(part.slice(colon + 1))]);
    }
  }
  return { saved: false, ranges };
}

/** Replaces `*` with `max`, orders each range (`5:2` is `2:5`), sorts and merges. */
export function resolveSequenceSet(set: SequenceSet, max: number, saved: RangeList = []): RangeList {
  if (set.saved) return saved;
  const pairs: Array<[number, number]> = [];
  for (const [a, b] of set.ranges) {
    const x = a === '*' ? max : a;
    const y = b === '*' ? max : b;
    pairs.push(x <= y ? [x, y] : [y, x]);
  }
  return normalizeRanges(pairs);
}

export function normalizeRanges(pairs: Array<[number, number]>): RangeList {
  pairs.sort((p, q) => p[0] - q[0]);
  const out: Array<[number, number]> = [];
  for (const p of pairs) {
    const last = out[out.length - 1];
    if (last && p[0] <= last[1] + 1) {
      if (p[1] > last[1]) last[1] = p[1];
    } else {
      out.push([p[0], p[1]]);
    }
  }
  return out;
}

export function rangesContain(ranges: RangeList, n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = ranges[mid]!;
    if (n < r[0]) hi = mid - 1;
    else if (n > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Index of the first element of sorted `ids` that is >= n. */
function lowerBound(ids: ArrayLike<number>, n: number, from: number): number {
  let lo = from;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The members of ascending `ids` (UIDs in use) inside `ranges`, in order; cost follows the output. */
export function* selectIds(ranges: RangeList, ids: ArrayLike<number>): Generator<number> {
  let i = 0;
  for (const [from, to] of ranges) {
    i = lowerBound(ids, from, i);
    while (i < ids.length && ids[i]! <= to) yield ids[i++]!;
    if (i >= ids.length) return;
  }
}

/** Message sequence numbers 1..count inside `ranges`, in order. */
export function* selectSequence(ranges: RangeList, count: number): Generator<number> {
  for (const [from, to] of ranges) {
    const end = Math.min(to, count);
    for (let n = Math.max(from, 1); n <= end; n++) yield n;
  }
}

export function formatRanges(ranges: RangeList): string {
  const parts: string[] = [];
  for (const [a, b] of ranges) parts.push(a === b ? String(a) : `${a}:${b}`);
  return parts.join(',');
}

/** The compact set for ascending numbers, e.g. for COPYUID or ESEARCH ALL: `1:3,7`. */
export function formatIds(ids: ArrayLike<number>): string {
  const parts: string[] = [];
  let i = 0;
  while (i < ids.length) {
    const start = ids[i]!;
    let end = start;
    while (i + 1 < ids.length && ids[i + 1] === end + 1) end = ids[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}

export function formatSequenceSet(set: SequenceSet): string {
  if (set.saved) return '$';
  return set.ranges.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',');
}
