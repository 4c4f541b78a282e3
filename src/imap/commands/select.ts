import { flagNames } from '../../mailbox/flags.js';
import { hasRights } from '../../mailbox/rights.js';
import { fetch } from '../proto/protocol/fetch.js';
import { exists, flags, recent, vanished } from '../proto/protocol/mailbox.js';
import type { SelectCommand } from '../proto/parser/select.js';
import { codes, untagged } from '../proto/protocol/status.js';
import { normalizeRanges, rangesContain, resolveSequenceSet, type SequenceSet } from '../proto/sequence.js';
import { SelectedMailbox } from '../selected-mailbox.js';
import type { ImapSession } from '../session.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

const SYSTEM_FLAGS = flagNames(0xff);

/** OBJECTID (RFC 8474) MAILBOXID of a folder. */
export const mailboxId = (folderId: number): string => `F${folderId}`;

/** The flags a client may set here: \Seen with `s`, \Deleted with `t`, the rest and new keywords with `w`. */
function permanentFlags(sel: SelectedMailbox): string[] {
  if (sel.readOnly) return [];
  const may = (f: string) => (f === '\\Seen' ? 's' : f === '\\Deleted' ? 't' : 'w');
  const out = SYSTEM_FLAGS.filter((f) => hasRights(sel.rights, may(f)));
  if (hasRights(sel.rights, 'w')) out.push(...sel.knownKeywords, '\\*');
  return out;
}

/** SELECT and EXAMINE, with CONDSTORE and QRESYNC (RFC 7162) parameters. */
export const selectCommand: CommandHandler<SelectCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    if (cmd.qresync && !s.enabled.has('QRESYNC')) {
      await s.bad(cmd.tag, 'QRESYNC must be enabled first');
      return null;
    }
    if (s.selected) {
      s.unselect();
      s.w.bytes(untagged('OK', 'Previous mailbox closed', 'CLOSED'));
    }
    const opened = await s.app.mailbox.views.open(s.actor!, cmd.mailbox);
    if (cmd.condstore) s.enabled.add('CONDSTORE');
    const sel = new SelectedMailbox(opened, cmd.name === 'EXAMINE');
    s.select(sel);
    const rev1 = !s.enabled.has('IMAP4rev2');
    if (rev1 && sel.noteRecent()) await sel.view.saveRecent();
    flags(s.w, [...SYSTEM_FLAGS, ...sel.knownKeywords]);
    exists(s.w, sel.count);
    if (rev1) recent(s.w, sel.recentCount);
    s.w.bytes(untagged('OK', 'Flags permitted', codes.permanentFlags(permanentFlags(sel))));
    const firstUnseen = sel.flags.findIndex((f) => (f & 1) === 0);
    if (firstUnseen >= 0 && rev1) s.w.bytes(untagged('OK', 'First unseen', codes.unseen(firstUnseen + 1)));
    s.w.bytes(untagged('OK', 'UIDs valid', codes.uidValidity(sel.uidvalidity)));
    s.w.bytes(untagged('OK', 'Predicted next UID', codes.uidNext(sel.uidnext)));
    s.w.bytes(untagged('OK', 'Highest', codes.highestModseq(sel.highestModseq)));
    s.w.bytes(untagged('OK', 'Ok', codes.mailboxId(mailboxId(sel.folderId))));
    if (cmd.qresync && cmd.qresync.uidValidity === sel.uidvalidity)
      await resync(s, cmd.qresync.modseq, cmd.qresync.knownUids);
    return { text: `${cmd.name} completed`, code: sel.readOnly ? 'READ-ONLY' : 'READ-WRITE' };
  },
};

/** QRESYNC: what changed since the client's modseq, as VANISHED (EARLIER) and FETCH responses. */
async function resync(s: ImapSession, modseq: number, known: SequenceSet | undefined): Promise<void> {
  const sel = s.selected!;
  const ch = await s.app.mailbox.messages.changesSince(s.actor!, { id: sel.folderId }, modseq);
  const knownRanges = known ? resolveSequenceSet(known, sel.maxUid) : undefined;
  const gone: Array<[number, number]> = [];
  for (const [a, b] of ch.vanished) {
    for (let u = a; u <= b; u++) if (!knownRanges || rangesContain(knownRanges, u)) gone.push([u, u]);
  }
  vanished(s.w, normalizeRanges(gone), true);
  for (const c of ch.changed) {
    const i = sel.indexOf(c.uid);
    if (i < 0) continue;
    fetch(s.w, i + 1, [
      { item: 'UID', value: c.uid },
      { item: 'FLAGS', flags: sel.flagsAt(i) },
      { item: 'MODSEQ', value: sel.modseqs[i]! },
    ]);
    await s.maybeFlush();
  }
}
