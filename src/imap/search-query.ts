import type { SearchKey as StoreKey } from '../mailbox/search-criteria.js';
import type { SearchKey } from './proto/parser/search.js';
import type { SelectedMailbox } from './selected-mailbox.js';
import type { ImapSession } from './session.js';

const NOTHING: StoreKey = { type: 'not', key: { type: 'all' } };

/**
 * A parsed SEARCH program in the mailbox service's terms: sequence numbers become UIDs of the
 * view, `$` the saved result, RECENT the uids the session reports as \Recent (none in IMAP4rev2).
 */
export function toStoreKey(key: SearchKey, sel: SelectedMailbox): StoreKey {
  switch (key.op) {
    case 'all':
      return { type: 'all' };
    case 'and':
      return { type: 'and', keys: key.keys.map((k) => toStoreKey(k, sel)) };
    case 'or':
      return { type: 'or', keys: [toStoreKey(key.left, sel), toStoreKey(key.right, sel)] };
    case 'not':
      return { type: 'not', key: toStoreKey(key.key, sel) };
    case 'flag':
      if (key.flag === '\\Recent') {
        if (!sel.recent.length) return key.set ? NOTHING : { type: 'all' };
        const recent: StoreKey = { type: 'uid', uids: sel.recent };
        return key.set ? recent : { type: 'not', key: recent };
      }
      return { type: 'flag', flag: key.flag, set: key.set };
    case 'seq':
    case 'uid':
      return { type: 'uid', uids: sel.uidSet(sel.indexes(key.set, key.op === 'uid')) };
    case 'header':
      return { type: 'header', field: key.field, value: key.value };
    case 'body':
    case 'text':
      return { type: 'text', part: key.op, value: key.value };
    case 'date':
      // SAVEDATE is not kept; a message is taken as saved when it arrived (RFC 8514 allows it).
      return {
        type: 'date',
        field: key.field === 'sent' ? 'sent' : 'internal',
        op: key.cmp,
        date: Date.parse(key.date + 'T00:00:00Z'),
      };
    case 'size':
      return { type: 'size', op: key.cmp, bytes: key.size };
    case 'modseq':
      return { type: 'modseq', modseq: key.modseq };
    case 'age':
      return { type: 'age', op: key.cmp, seconds: key.seconds };
    case 'emailId':
      return { type: 'emailid', id: key.id };
    case 'threadId':
      return { type: 'threadid', id: key.id };
  }
}

export function usesModseq(key: SearchKey): boolean {
  switch (key.op) {
    case 'modseq':
      return true;
    case 'and':
      return key.keys.some(usesModseq);
    case 'or':
      return usesModseq(key.left) || usesModseq(key.right);
    case 'not':
      return usesModseq(key.key);
    default:
      return false;
  }
}

/** Runs a search on the selected folder: matching indexes of the view, ascending, and their highest modseq. */
export async function searchSelected(
  s: ImapSession,
  key: SearchKey,
): Promise<{ indexes: number[]; highestModseq: number }> {
  const sel = s.selected!;
  const r = await s.app.mailbox.messages.search(s.actor!, { id: sel.folderId }, toStoreKey(key, sel));
  const indexes: number[] = [];
  let highestModseq = 0;
  for (const uid of r.uids) {
    const i = sel.indexOf(uid);
    if (i < 0 || sel.gone.has(uid)) continue;
    indexes.push(i);
    highestModseq = Math.max(highestModseq, sel.modseqs[i]!);
  }
  return { indexes, highestModseq };
}
