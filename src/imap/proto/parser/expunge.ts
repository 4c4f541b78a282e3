import type { SequenceSet } from '../sequence.js';
import type { TokenReader } from './reader.js';

export interface ExpungeCommand {
  name: 'EXPUNGE';
  tag: string;
  uid: boolean;
  /** Only for UID EXPUNGE (UIDPLUS): the UIDs that may be expunged. */
  sequence: SequenceSet | undefined;
}

export function parseExpunge(tag: string, uid: boolean, r: TokenReader): ExpungeCommand {
  const sequence = uid ? r.sequenceSet() : undefined;
  r.end();
  return { name: 'EXPUNGE', tag, uid, sequence };
}
