import { formatIds, formatRanges, type RangeList } from '../sequence.js';
import type { ResponseWriter } from '../response.js';

/** Classic `* SEARCH` (or `* SORT`) with ids in the given order; MODSEQ under CONDSTORE. */
export function search(
  w: ResponseWriter,
  ids: ArrayLike<number>,
  modseq?: number,
  kind: 'SEARCH' | 'SORT' = 'SEARCH',
): ResponseWriter {
  w.raw(`* ${kind}`);
  for (let i = 0; i < ids.length; i++) w.raw(' ' + ids[i]);
  if (modseq !== undefined) w.raw(` (MODSEQ ${modseq})`);
  return w.crlf();
}

export interface EsearchResult {
  min?: number;
  max?: number;
  /** ALL as ranges (ESEARCH sorts them) or as ids in order (ESORT keeps order). */
  all?: RangeList | ArrayLike<number>;
  count?: number;
  modseq?: number;
}

/** `* ESEARCH (TAG "a1") UID MIN 2 ...` (RFC 4731); empty fields are left out, as the RFC asks. */
export function esearch(w: ResponseWriter, tag: string, uid: boolean, r: EsearchResult): ResponseWriter {
  w.raw('* ESEARCH (TAG ').string(tag).raw(')');
  if (uid) w.raw(' UID');
  if (r.min !== undefined) w.raw(` MIN ${r.min}`);
  if (r.max !== undefined) w.raw(` MAX ${r.max}`);
  if (r.all !== undefined && r.all.length > 0) {
    const all = r.all;
    w.raw(' ALL ').raw(
      Array.isArray(all) && Array.isArray(all[0])
        ? formatRanges(all as RangeList)
        : formatIds(all as ArrayLike<number>),
    );
  }
  if (r.count !== undefined) w.raw(` COUNT ${r.count}`);
  if (r.modseq !== undefined) w.raw(` MODSEQ ${r.modseq}`);
  return w.crlf();
}

/** A THREAD tree: a node is an id followed by its children; siblings at the root are separate threads. */
export interface ThreadNode {
  id: number;
  children: ThreadNode[];
}

export function thread(w: ResponseWriter, roots: readonly ThreadNode[]): ResponseWriter {
  w.raw(roots.length ? '* THREAD ' : '* THREAD');
  for (const root of roots) writeThread(w, root);
  return w.crlf();
}

function writeThread(w: ResponseWriter, node: ThreadNode): void {
  w.raw('(');
  let n: ThreadNode = node;
  // A chain of only children is written flat: (1 2 3); a fork nests each branch: (1 (2)(3)).
  for (;;) {
    w.number(n.id);
    if (n.children.length !== 1) break;
    w.sp();
    n = n.children[0]!;
  }
  if (n.children.length > 1) {
    w.sp();
    for (const child of n.children) writeThread(w, child);
  }
  w.raw(')');
}
