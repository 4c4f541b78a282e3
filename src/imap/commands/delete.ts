import type { MailboxCommand } from '../proto/parser/mailbox.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

export const deleteCommand: CommandHandler<MailboxCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    await s.app.mailbox.folders.delete(s.actor!, cmd.mailbox);
    return { text: 'DELETE completed' };
  },
};
