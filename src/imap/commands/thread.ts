import type { ThreadCommand } from '../proto/parser/thread.js';
import { thread } from '../proto/protocol/search.js';
import { searchSelected } from '../search-query.js';
import { threadByOrderedSubject, threadByReferences } from '../threading.js';
import { SELECTED, type CommandHandler } from './handler.js';

/** THREAD and UID THREAD (RFC 5256): REFERENCES and ORDEREDSUBJECT. */
export const threadCommand: CommandHandler<ThreadCommand> = {
  states: SELECTED,
  sync: 'no-expunge',
  async run(s, cmd) {
    const sel = s.selected!;
    const found = await searchSelected(s, cmd.search);
    const fields = await s.app.mailbox.messages.sortFields(
      s.actor!,
      { id: sel.folderId },
      sel.uidSet(found.indexes),
    );
    const id = cmd.uid ? (f: { uid: number }) => f.uid : (f: { uid: number }) => sel.indexOf(f.uid) + 1;
    const algorithm = cmd.algorithm === 'REFERENCES' ? threadByReferences : threadByOrderedSubject;
    thread(s.w, algorithm(fields, id));
    return { text: 'THREAD completed' };
  },
};
