import type { AclCommand } from '../proto/parser/acl.js';
import { acl, listRights, myRights } from '../proto/protocol/misc.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

/** RFC 4314: GETACL, SETACL, DELETEACL, LISTRIGHTS, MYRIGHTS; the mailbox service checks the rights. */
export const aclCommands: CommandHandler<AclCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    const svc = s.app.mailbox.acl;
    const actor = s.actor!;
    switch (cmd.name) {
      case 'GETACL':
        acl(
          s.w,
          cmd.mailbox,
          (await svc.get(actor, cmd.mailbox)).map((e) => [e.identifier, e.rights]),
        );
        break;
      case 'SETACL':
        await svc.set(
          actor,
          cmd.mailbox,
          cmd.identifier,
          (cmd.mode === 'add' ? '+' : cmd.mode === 'remove' ? '-' : '') + cmd.rights,
        );
        break;
      case 'DELETEACL':
        await svc.delete(actor, cmd.mailbox, cmd.identifier);
        break;
      case 'LISTRIGHTS': {
        const r = await svc.listRights(actor, cmd.mailbox, cmd.identifier);
        listRights(s.w, cmd.mailbox, cmd.identifier, r.required, r.optional);
        break;
      }
      case 'MYRIGHTS':
        myRights(s.w, cmd.mailbox, await svc.myRights(actor, cmd.mailbox));
        break;
    }
    return { text: `${cmd.name} completed` };
  },
};
