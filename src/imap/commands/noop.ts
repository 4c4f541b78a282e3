import type { SimpleCommand } from '../proto/parser/simple.js';
import { ANY, SELECTED, type CommandHandler } from './handler.js';

/** NOOP does nothing but let the pending updates of the selected folder out (see dispatch). */
export const noopCommand: CommandHandler<SimpleCommand> = {
  states: ANY,
  async run() {
    return { text: 'NOOP completed' };
  },
};

/** CHECK (RFC 3501; gone in IMAP4rev2): every change is already durable, so it is a NOOP. */
export const checkCommand: CommandHandler<SimpleCommand> = {
  states: SELECTED,
  async run() {
    return { text: 'CHECK completed' };
  },
};
