import type { TokenReader } from './reader.js';

/** Commands whose only argument is a mailbox name. */
export interface MailboxCommand {
  name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE';
  tag: string;
  mailbox: string;
}

export function parseMailboxCommand(
  name: MailboxCommand['name'],
  tag: string,
  r: TokenReader,
): MailboxCommand {
  const mailbox = r.mailbox();
  r.end();
  return { name, tag, mailbox };
}
