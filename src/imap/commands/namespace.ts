import { OTHER_USERS, SEPARATOR, SHARED } from '../../mailbox/folder-names.js';
import type { SimpleCommand } from '../proto/parser/simple.js';
import { namespace } from '../proto/protocol/mailbox.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

export const namespaceCommand: CommandHandler<SimpleCommand> = {
  states: AUTHENTICATED,
  async run(s) {
    namespace(
      s.w,
      [{ prefix: '', delimiter: SEPARATOR }],
      [{ prefix: OTHER_USERS + SEPARATOR, delimiter: SEPARATOR }],
      [{ prefix: SHARED + SEPARATOR, delimiter: SEPARATOR }],
    );
    return { text: 'NAMESPACE completed' };
  },
};
