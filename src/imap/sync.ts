import { NotFoundError } from '../core/errors.js';
import type { FlagUpdate } from '../mailbox/types.js';
import { expunge, exists, vanished } from './proto/protocol/mailbox.js';
import { normalizeRanges } from './proto/sequence.js';
import { writeFlags } from './fetch-flags.js';
import type { ImapSession } from './session.js';

/**
 * Brings the client up to date with changes made by other sessions and by delivery: FETCH FLAGS,
 * then EXPUNGE (or VANISHED under QRESYNC) when the command allows it, then EXISTS.
 */
export async function syncSelected(s: ImapSession, allowExpunge: boolean): Promise<void> {
  const sel = s.selected;
  if (!sel) return;
  if (sel.dirty) {
    sel.dirty = false;
    let ch;
    try {
      ch = await s.app.mailbox.messages.changesSince(s.actor!, { id: sel.folderId }, sel.highestModseq);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      s.bye('The selected mailbox no longer exists');
      return;
    }
    for (const [a, b] of ch.vanished) {
      for (let u = a; u <= b; u++) if (sel.indexOf(u) >= 0) sel.gone.add(u);
    }
    const known: FlagUpdate[] = [];
    const added: FlagUpdate[] = [];
    const maxUid = sel.maxUid;
    for (const c of ch.changed) {
      if (c.uid > maxUid) added.push(c);
      else if (!sel.gone.has(c.uid)) known.push(c);
    }
    for (const i of sel.applyFlags(known)) writeFlags(s, i);
    sel.appendMessages(added);
    sel.highestModseq = Math.max(sel.highestModseq, ch.highestModseq);
    if (allowExpunge) reportExpunged(s);
    if (added.length) exists(s.w, sel.count);
    return;
  }
  if (allowExpunge) reportExpunged(s);
}

function reportExpunged(s: ImapSession): void {
  const sel = s.selected!;
  if (!sel.gone.size) return;
  writeExpunged(s, [...sel.gone]);
}

/** Removes messages from the view and tells the client: VANISHED under QRESYNC, EXPUNGE otherwise. */
export function writeExpunged(s: ImapSession, uids: readonly number[]): void {
  const sel = s.selected!;
  const present = uids.filter((u) => sel.indexOf(u) >= 0);
  const seqs = sel.remove(present);
  if (s.enabled.has('QRESYNC')) vanished(s.w, normalizeRanges(present.map((u) => [u, u])), false);
  else for (const seq of seqs) expunge(s.w, seq);
}
