// The service checks the attribute and answers NO [USEATTR] for an unknown one.
import type { SpecialUse } from '../../mailbox/types.js';
import type { CreateCommand } from '../proto/parser/create.js';
import { codes } from '../proto/protocol/status.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';
import { mailboxId } from './select.js';

/** CREATE, with CREATE-SPECIAL-USE (RFC 6154) and the MAILBOXID of OBJECTID (RFC 8474). */
export const createCommand: CommandHandler<CreateCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    if (cmd.specialUse.length > 1) {
      await s.no(cmd.tag, 'A folder has at most one special use', 'USEATTR');
      return null;
    }
    const info = await s.app.mailbox.folders.create(s.actor!, cmd.mailbox, {
      specialUse: (cmd.specialUse[0] as SpecialUse | undefined) ?? null,
    });
    return { text: 'CREATE completed', code: codes.mailboxId(mailboxId(info.id)) };
  },
};
