import type { SimpleCommand } from '../proto/parser/simple.js';
import { SELECTED, type CommandHandler } from './handler.js';

/** CLOSE: expunges silently (when the folder is writable and the rights allow), then deselects. */
export const closeCommand: CommandHandler<SimpleCommand> = {
  states: SELECTED,
  async run(s) {
    const sel = s.selected!;
    if (!sel.readOnly && sel.rights.includes('e'))
      await s.app.mailbox.messages.expunge(s.actor!, { id: sel.folderId });
    s.unselect();
    return { text: 'CLOSE completed' };
  },
};

/** UNSELECT (RFC 3691): deselects without expunging. */
export const unselectCommand: CommandHandler<SimpleCommand> = {
  states: SELECTED,
  async run(s) {
    s.unselect();
    return { text: 'UNSELECT completed' };
  },
};
