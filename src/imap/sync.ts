import { NotFoundError } from '../core/errors.js';
import type { FolderSnapshot } from '../mailbox/folder-views.js';
import type { FlagUpdate } from '../mailbox/types.js';
import { expunge, exists, recent, vanished } from './proto/protocol/mailbox.js';
import { normalizeRanges } from './proto/sequence.js';
import { writeFlags, writeFlagUpdate } from './fetch-flags.js';
import type { ImapSession } from './session.js';

/**
 * Brings the client up to date with changes made by other sessions and by delivery: FETCH FLAGS,
 * then EXPUNGE (or VANISHED under QRESYNC) when the command allows it, then EXISTS. The changes
 * come from the folder's shared view, read from the store once for all sessions.
 */
export async function syncSelected(s: ImapSession, allowExpunge: boolean): Promise<void> {
  const sel = s.selected;
  if (!sel) return;
  if (sel.dirty) {
    sel.dirty = false;
    let latest: FolderSnapshot;
    try {
      latest = await sel.view.current();
      if (sel.epoch !== sel.view.epoch) {
        sel.epoch = sel.view.epoch;
        sel.rights = await s.app.mailbox.views.recheck(s.actor!, sel.view);
      }
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      s.bye('The selected mailbox no longer exists');
      return;
    }
    // The session may have been deselected while it waited.
    if (s.selected !== sel) return;
    if (latest !== sel.base) {
      if (catchUp(s, latest, allowExpunge)) await sel.view.saveRecent();
    } else if (allowExpunge) reportExpunged(s);
    return;
  }
  if (allowExpunge) reportExpunged(s);
}

/**
 * Reports the steps from the session's snapshot to `latest` and, when it may, shares `latest`.
 * Returns whether new messages were claimed as \Recent, a claim the caller must save.
 */
function catchUp(s: ImapSession, latest: FolderSnapshot, allowExpunge: boolean): boolean {
  const sel = s.selected!;
  const changed = new Map<number, FlagUpdate>();
  for (let step = sel.base.next; step; step = step.snapshot.next) {
    for (const c of step.changed) changed.set(c.uid, c);
    for (const [a, b] of step.vanished) {
      for (let u = a; u <= b; u++) {
        changed.delete(u);
        if (sel.indexOf(u) >= 0) sel.gone.add(u);
      }
    }
    if (step.snapshot === latest) break;
  }
  const maxUid = sel.maxUid;
  const known: FlagUpdate[] = [];
  let added = 0;
  for (const c of changed.values()) {
    if (c.uid > maxUid) added++;
    else if (!sel.gone.has(c.uid)) known.push(c);
  }
  known.sort((a, b) => a.uid - b.uid);
  if (allowExpunge || !sel.gone.size) {
    for (const c of known) {
      const i = sel.indexOf(c.uid);
      if (i >= 0 && sel.differs(i, c)) writeFlagUpdate(s, i, c);
    }
    if (sel.gone.size) writeExpunged(s, [...sel.gone], latest);
    else sel.adopt(latest);
    return added > 0 && reportAdded(s);
  }
  // Expunges must wait: the session keeps its own numbering, with the flags and messages it can tell.
  for (const i of sel.applyFlags(known)) writeFlags(s, i);
  sel.appendMessages([...changed.values()].filter((c) => c.uid > maxUid).sort((a, b) => a.uid - b.uid));
  sel.base = latest;
  sel.highestModseq = Math.max(sel.highestModseq, latest.highestModseq);
  return added > 0 && reportAdded(s);
}

/** `* n EXISTS` for new messages and, to an IMAP4rev1 client, `* n RECENT`; true when a \Recent claim was made. */
function reportAdded(s: ImapSession): boolean {
  const sel = s.selected!;
  exists(s.w, sel.count);
  if (s.enabled.has('IMAP4rev2')) return false;
  const claimed = sel.noteRecent();
  recent(s.w, sel.recentCount);
  return claimed;
}

function reportExpunged(s: ImapSession): void {
  const sel = s.selected!;
  if (!sel.gone.size) return;
  writeExpunged(s, [...sel.gone]);
}

/**
 * Removes messages from the view and tells the client: VANISHED under QRESYNC, EXPUNGE otherwise.
 * With `then`, a snapshot without them that the view takes at once.
 */
export function writeExpunged(s: ImapSession, uids: readonly number[], then?: FolderSnapshot): void {
  const sel = s.selected!;
  const present = uids.filter((u) => sel.indexOf(u) >= 0);
  const seqs = then ? sel.adoptWithout(then, present) : sel.remove(present);
  if (s.enabled.has('QRESYNC')) vanished(s.w, normalizeRanges(present.map((u) => [u, u])), false);
  else for (const seq of seqs) expunge(s.w, seq);
}
