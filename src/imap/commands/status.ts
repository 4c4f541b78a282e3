import type { FolderStatus } from '../../mailbox/types.js';
import type { StatusCommand, StatusItem } from '../proto/parser/status.js';
import { status, type StatusValues } from '../proto/protocol/mailbox.js';
import type { ImapSession } from '../session.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';
import { mailboxId } from './select.js';

/** Writes `* STATUS` for one folder (STATUS, and LIST-STATUS for each listed folder). */
export async function writeStatus(
  s: ImapSession,
  mailbox: string,
  items: readonly StatusItem[],
): Promise<void> {
  const mb = s.app.mailbox.folders;
  const st = await mb.status(s.actor!, mailbox);
  const values: StatusValues = {};
  for (const item of items) {
    if (item === 'MAILBOXID') values.MAILBOXID = mailboxId((await mb.resolve(s.actor!, mailbox, 'r')).row.id);
    else values[item] = statusValue(s, item, st);
  }
  status(s.w, mailbox, values);
}

function statusValue(s: ImapSession, item: Exclude<StatusItem, 'MAILBOXID'>, st: FolderStatus): number {
  switch (item) {
    case 'MESSAGES':
      return st.messages;
    case 'UIDNEXT':
      return st.uidnext;
    case 'UIDVALIDITY':
      return st.uidvalidity;
    case 'UNSEEN':
      return st.unseen;
    case 'DELETED':
      return st.deleted;
    case 'SIZE':
      return st.size;
    case 'RECENT':
      return s.enabled.has('IMAP4rev2') ? 0 : st.recent;
    case 'HIGHESTMODSEQ':
      s.enabled.add('CONDSTORE');
      return st.highestModseq;
    case 'APPENDLIMIT':
      return s.app.config.get<number>('mailbox.append_limit');
  }
}

export const statusCommand: CommandHandler<StatusCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    await writeStatus(s, cmd.mailbox, cmd.items);
    return { text: 'STATUS completed' };
  },
};
