import { ImapParseError } from '../errors.js';
import { decodeMailboxName } from '../utf7.js';
import type { TokenReader } from './reader.js';
import { parseStatusItems, type StatusItem } from './status.js';

export type ListSelection = 'SUBSCRIBED' | 'REMOTE' | 'RECURSIVEMATCH' | 'SPECIAL-USE';

export interface ListReturn {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  myRights: boolean;
  /** LIST-STATUS (RFC 5819). */
  status: StatusItem[] | undefined;
}

export interface ListCommand {
  name: 'LIST';
  tag: string;
  reference: string;
  /** Decoded mailbox patterns with `%` and `*` wildcards; several only in LIST-EXTENDED. */
  patterns: string[];
  selection: ListSelection[];
  returnOptions: ListReturn;
  /** Selection or return options were given: answer in LIST-EXTENDED form. */
  extended: boolean;
}

export interface LsubCommand {
  name: 'LSUB';
  tag: string;
  reference: string;
  pattern: string;
}

const SELECTION = new Set<string>(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);

/** A reference or pattern: like a mailbox name but may be empty and is not INBOX-folded. */
function pattern(r: TokenReader, what: string): string {
  return decodeMailboxName(r.astringBytes(what), r.ctx.utf8);
}

export function parseList(tag: string, r: TokenReader): ListCommand {
  let extended = false;
  const selection: ListSelection[] = [];
  if (r.isOpen()) {
    extended = true;
    for (const opt of r.list('selection options', () => r.keyword('selection option'))) {
      if (!SELECTION.has(opt)) throw new ImapParseError(`Unknown selection option ${opt}`);
      if (!selection.includes(opt as ListSelection)) selection.push(opt as ListSelection);
    }
    if (
      selection.includes('RECURSIVEMATCH') &&
      selection.every((s) => s === 'RECURSIVEMATCH' || s === 'REMOTE')
    ) {
      throw new ImapParseError('RECURSIVEMATCH needs another selection option');
    }
  }
  const reference = pattern(r, 'reference');
  const patterns = r.isOpen()
    ? ((extended = true), r.list('mailbox patterns', () => pattern(r, 'mailbox pattern'), true))
    : [pattern(r, 'mailbox pattern')];
  const returnOptions: ListReturn = {
    subscribed: selection.includes('SUBSCRIBED'),
    children: false,
    specialUse: false,
    myRights: false,
    status: undefined,
  };
  if (!r.done) {
    r.expectKeyword('RETURN');
    extended = true;
    r.list('return options', () => {
      const opt = r.keyword('return option');
      if (opt === 'SUBSCRIBED') returnOptions.subscribed = true;
      else if (opt === 'CHILDREN') returnOptions.children = true;
      else if (opt === 'SPECIAL-USE') returnOptions.specialUse = true;
      else if (opt === 'MYRIGHTS') returnOptions.myRights = true;
      else if (opt === 'STATUS' && !returnOptions.status) returnOptions.status = parseStatusItems(r);
      else throw new ImapParseError(`Unknown return option ${opt}`);
    });
  }
  r.end();
  return { name: 'LIST', tag, reference, patterns, selection, returnOptions, extended };
}

export function parseLsub(tag: string, r: TokenReader): LsubCommand {
  const reference = pattern(r, 'reference');
  const p = pattern(r, 'mailbox pattern');
  r.end();
  return { name: 'LSUB', tag, reference, pattern: p };
}
