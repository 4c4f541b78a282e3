import type { SequenceSet } from '../sequence.js';
import type { TokenReader } from './reader.js';

export interface CopyCommand {
  name: 'COPY' | 'MOVE';
  tag: string;
  uid: boolean;
  sequence: SequenceSet;
  mailbox: string;
}

export function parseCopy(name: 'COPY' | 'MOVE', tag: string, uid: boolean, r: TokenReader): CopyCommand {
  const sequence = r.sequenceSet();
  const mailbox = r.mailbox();
  r.end();
  return { name, tag, uid, sequence, mailbox };
}
