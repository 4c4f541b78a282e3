import type { SearchCommand, SearchReturn } from '../proto/parser/search.js';
import { esearch, search } from '../proto/protocol/search.js';
import { normalizeRanges } from '../proto/sequence.js';
import { searchSelected, usesModseq } from '../search-query.js';
import type { ImapSession } from '../session.js';
import { SELECTED, type CommandHandler } from './handler.js';

/**
 * The result of SEARCH, SORT (ESORT keeps the order) in the form asked for: classic `* SEARCH`,
 * or ESEARCH (RFC 4731) with SEARCHRES's SAVE (RFC 5182).
 */
export function writeResult(
  s: ImapSession,
  cmd: { tag: string; uid: boolean },
  returns: SearchReturn[] | undefined,
  indexes: number[],
  highestModseq: number | undefined,
  kind: 'SEARCH' | 'SORT',
): void {
  const sel = s.selected!;
  const ids = indexes.map((i) => (cmd.uid ? sel.uids[i]! : i + 1));
  const modseq = highestModseq && ids.length ? highestModseq : undefined;
  if (returns === undefined) {
    search(s.w, ids, modseq, kind);
    return;
  }
  const wanted = returns.length ? returns : ['ALL'];
  if (wanted.includes('SAVE')) {
    const min = indexes.reduce((m, i) => Math.min(m, i), Infinity);
    const max = indexes.reduce((m, i) => Math.max(m, i), -1);
    const only = wanted.filter((w) => w !== 'SAVE');
    // With MIN or MAX alone, only those messages are saved (RFC 5182 section 2.4).
    const keep =
      only.length && only.every((w) => w === 'MIN' || w === 'MAX')
        ? indexes.filter((i) => (only.includes('MIN') && i === min) || (only.includes('MAX') && i === max))
        : indexes;
    sel.saved = keep.map((i) => sel.uids[i]!).sort((a, b) => a - b);
    if (!only.length) return;
  }
  const sorted = kind === 'SEARCH' ? ids : [...ids].sort((a, b) => a - b);
  esearch(s.w, cmd.tag, cmd.uid, {
    ...(wanted.includes('MIN') && ids.length ? { min: sorted[0]! } : {}),
    ...(wanted.includes('MAX') && ids.length ? { max: sorted[sorted.length - 1]! } : {}),
    ...(wanted.includes('ALL')
      ? { all: kind === 'SEARCH' ? normalizeRanges(ids.map((n) => [n, n])) : ids }
      : {}),
    ...(wanted.includes('COUNT') ? { count: ids.length } : {}),
    ...(modseq ? { modseq } : {}),
  });
}

export const searchCommand: CommandHandler<SearchCommand> = {
  states: SELECTED,
  sync: 'no-expunge',
  async run(s, cmd) {
    const modseq = usesModseq(cmd.criteria);
    if (modseq) s.enabled.add('CONDSTORE');
    const r = await searchSelected(s, cmd.criteria);
    writeResult(s, cmd, cmd.returnOptions, r.indexes, modseq ? r.highestModseq : undefined, 'SEARCH');
    return { text: 'SEARCH completed' };
  },
};
