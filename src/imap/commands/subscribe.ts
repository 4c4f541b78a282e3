import type { MailboxCommand } from '../proto/parser/mailbox.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

/** SUBSCRIBE and UNSUBSCRIBE. */
export const subscribeCommand: CommandHandler<MailboxCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    await s.app.mailbox.folders.subscribe(s.actor!, cmd.mailbox, cmd.name === 'SUBSCRIBE');
    return { text: `${cmd.name} completed` };
  },
};
