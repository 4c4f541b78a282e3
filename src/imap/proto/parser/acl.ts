import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';

/** RFC 4314 commands. Rights are the letters as sent; the session checks them against its model. */
export type AclCommand =
  | { name: 'GETACL' | 'MYRIGHTS'; tag: string; mailbox: string }
  | { name: 'DELETEACL' | 'LISTRIGHTS'; tag: string; mailbox: string; identifier: string }
  | {
      name: 'SETACL';
      tag: string;
      mailbox: string;
      identifier: string;
      mode: 'replace' | 'add' | 'remove';
      rights: string;
    };

const RIGHTS = /^[a-z0-9]*$/;

export function parseAcl(name: AclCommand['name'], tag: string, r: TokenReader): AclCommand {
  const mailbox = r.mailbox();
  let cmd: AclCommand;
  if (name === 'GETACL' || name === 'MYRIGHTS') {
    cmd = { name, tag, mailbox };
  } else {
    const identifier = r.astring('identifier');
    if (name === 'SETACL') {
      let rights = r.astring('rights');
      const mode = rights.startsWith('+') ? 'add' : rights.startsWith('-') ? 'remove' : 'replace';
      if (mode !== 'replace') rights = rights.slice(1);
      if (!RIGHTS.test(rights)) throw new ImapParseError('Invalid rights');
      cmd = { name, tag, mailbox, identifier, mode, rights };
    } else {
      cmd = { name, tag, mailbox, identifier };
    }
  }
  r.end();
  return cmd;
}
