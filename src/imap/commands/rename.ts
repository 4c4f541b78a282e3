import type { RenameCommand } from '../proto/parser/rename.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

export const renameCommand: CommandHandler<RenameCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    await s.app.mailbox.folders.rename(s.actor!, cmd.from, cmd.to);
    return { text: 'RENAME completed' };
  },
};
