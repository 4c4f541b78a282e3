import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';
import { charsetDecoder, parseSearchKeys, type SearchKey } from './search.js';

export interface ThreadCommand {
  name: 'THREAD';
  tag: string;
  uid: boolean;
  algorithm: 'REFERENCES' | 'ORDEREDSUBJECT';
  charset: string;
  search: SearchKey;
}

export function parseThread(tag: string, uid: boolean, r: TokenReader): ThreadCommand {
  const algorithm = r.keyword('thread algorithm');
  if (algorithm !== 'REFERENCES' && algorithm !== 'ORDEREDSUBJECT') {
    throw new ImapParseError(`Unknown thread algorithm ${algorithm}`);
  }
  const charset = r.astring('charset').toUpperCase();
  const search = parseSearchKeys(r, charsetDecoder(charset));
  return { name: 'THREAD', tag, uid, algorithm, charset, search };
}
