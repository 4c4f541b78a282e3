import type { ExpungeCommand } from '../proto/parser/expunge.js';
import { codes } from '../proto/protocol/status.js';
import { writeExpunged } from '../sync.js';
import { SELECTED, type CommandHandler } from './handler.js';

/** EXPUNGE and UID EXPUNGE (UIDPLUS). */
export const expungeCommand: CommandHandler<ExpungeCommand> = {
  states: SELECTED,
  async run(s, cmd) {
    const sel = s.selected!;
    if (sel.readOnly) {
      await s.no(cmd.tag, 'The mailbox is read-only');
      return null;
    }
    const uids = cmd.sequence ? sel.uidSet(sel.indexes(cmd.sequence, true)) : undefined;
    if (uids && !uids.length) return { text: 'EXPUNGE completed' };
    const r = await s.app.mailbox.messages.expunge(s.actor!, { id: sel.folderId }, uids);
    writeExpunged(s, r.expunged);
    return { text: 'EXPUNGE completed', ...(s.condstore ? { code: codes.highestModseq(r.modseq) } : {}) };
  },
};
