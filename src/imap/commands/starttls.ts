import type { SimpleCommand } from '../proto/parser/simple.js';
import { NOT_AUTHENTICATED, type CommandHandler } from './handler.js';

export const starttlsCommand: CommandHandler<SimpleCommand> = {
  states: NOT_AUTHENTICATED,
  async run(s, cmd) {
    if (s.secure) {
      await s.bad(cmd.tag, 'TLS is already active');
      return null;
    }
    await s.ok(cmd.tag, 'Begin TLS negotiation now');
    s.startTls();
    return null;
  },
};
