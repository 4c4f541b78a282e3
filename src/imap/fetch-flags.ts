import { fetch, type FetchValue } from './proto/protocol/fetch.js';
import type { ImapSession } from './session.js';

/** `* n FETCH (UID u FLAGS (...) [MODSEQ (m)])` for message index `i` of the selected folder. */
export function writeFlags(s: ImapSession, i: number, withFlags = true): void {
  const sel = s.selected!;
  const values: FetchValue[] = [{ item: 'UID', value: sel.uids[i]! }];
  if (withFlags) values.push({ item: 'FLAGS', flags: sel.flagsAt(i) });
  if (s.condstore) values.push({ item: 'MODSEQ', value: sel.modseqs[i]! });
  fetch(s.w, i + 1, values);
}
