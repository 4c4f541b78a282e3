import { ImapParseError } from '../errors.js';
import type { SequenceSet } from '../sequence.js';
import type { TokenReader } from './reader.js';

export interface StoreCommand {
  name: 'STORE';
  tag: string;
  uid: boolean;
  sequence: SequenceSet;
  operation: 'set' | 'add' | 'remove';
  /** `.SILENT`: no untagged FETCH for the change (except under CONDSTORE rules). */
  silent: boolean;
  flags: string[];
  /** CONDSTORE (RFC 7162). */
  unchangedSince: number | undefined;
}

const ITEM = /^([+-]?)FLAGS(\.SILENT)?$/;

export function parseStore(tag: string, uid: boolean, r: TokenReader): StoreCommand {
  const sequence = r.sequenceSet();
  let unchangedSince: number | undefined;
  if (r.isOpen()) {
    r.list(
      'store modifiers',
      () => {
        if (r.keyword('store modifier') !== 'UNCHANGEDSINCE' || unchangedSince !== undefined) {
          throw new ImapParseError('Unknown store modifier');
        }
        unchangedSince = r.number64('mod-sequence');
      },
      true,
    );
  }
  const m = ITEM.exec(r.keyword('store item'));
  if (!m) throw new ImapParseError('Invalid store item');
  let flags: string[];
  if (r.isOpen()) {
    flags = r.flagList();
  } else {
    flags = [r.flag()];
    while (!r.done) flags.push(r.flag());
  }
  r.end();
  const operation = m[1] === '+' ? 'add' : m[1] === '-' ? 'remove' : 'set';
  return { name: 'STORE', tag, uid, sequence, operation, silent: m[2] !== undefined, flags, unchangedSince };
}
