import type { IdCommand } from '../proto/parser/id.js';
import { id } from '../proto/protocol/misc.js';
import { ANY, type CommandHandler } from './handler.js';

/** ID (RFC 2971): the client's fields are logged, the server names itself. */
export const idCommand: CommandHandler<IdCommand> = {
  states: ANY,
  async run(s, cmd) {
    if (cmd.params) s.log.info({ event: 'imap_client_id', id: Object.fromEntries(cmd.params) });
    id(s.w, [
      ['name', 'Mailstead'],
      ['vendor', 'Mailstead'],
    ]);
    return { text: 'ID completed' };
  },
};
