import type { FlagUpdate } from '../mailbox/types.js';
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

/** The same for message index `i` with the flags of `u`, before the view takes them in. */
export function writeFlagUpdate(s: ImapSession, i: number, u: FlagUpdate): void {
  const recent = s.selected!.isRecent(u.uid);
  const values: FetchValue[] = [
    { item: 'UID', value: u.uid },
    { item: 'FLAGS', flags: recent ? [...u.flags, '\\Recent'] : u.flags },
  ];
  if (s.condstore) values.push({ item: 'MODSEQ', value: u.modseq });
  fetch(s.w, i + 1, values);
}
