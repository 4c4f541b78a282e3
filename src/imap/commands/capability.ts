import type { SimpleCommand } from '../proto/parser/simple.js';
import { capability } from '../proto/protocol/mailbox.js';
import { ANY, type CommandHandler } from './handler.js';

export const capabilityCommand: CommandHandler<SimpleCommand> = {
  states: ANY,
  async run(s) {
    capability(s.w, s.capabilities());
    return { text: 'CAPABILITY completed' };
  },
};
