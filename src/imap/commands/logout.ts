import type { SimpleCommand } from '../proto/parser/simple.js';
import { tagged, untagged } from '../proto/protocol/status.js';
import { ANY, type CommandHandler } from './handler.js';

export const logoutCommand: CommandHandler<SimpleCommand> = {
  states: ANY,
  async run(s, cmd) {
    s.state = 'logout';
    s.w.bytes(untagged('BYE', 'Logging out'));
    await s.send(tagged(cmd.tag, 'OK', 'LOGOUT completed'));
    s.end();
    return null;
  },
};
