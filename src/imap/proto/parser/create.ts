import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';

export interface CreateCommand {
  name: 'CREATE';
  tag: string;
  mailbox: string;
  /** CREATE-SPECIAL-USE (RFC 6154), e.g. `\Drafts`. */
  specialUse: string[];
}

export function parseCreate(tag: string, r: TokenReader): CreateCommand {
  const mailbox = r.mailbox();
  const specialUse: string[] = [];
  if (!r.done) {
    r.list(
      'create parameters',
      () => {
        if (r.keyword('create parameter') !== 'USE') throw new ImapParseError('Unknown create parameter');
        for (const use of r.list('special-use attributes', () => r.atom('special-use attribute'), true)) {
          if (!/^\\[A-Za-z]+$/.test(use)) throw new ImapParseError('Invalid special-use attribute');
          specialUse.push(use);
        }
      },
      true,
    );
  }
  r.end();
  return { name: 'CREATE', tag, mailbox, specialUse };
}
