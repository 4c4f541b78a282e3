import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';
import {
  charsetDecoder,
  parseReturnOptions,
  parseSearchKeys,
  type SearchKey,
  type SearchReturn,
} from './search.js';

export type SortKey =
  'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO';

export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

export interface SortCommand {
  name: 'SORT';
  tag: string;
  uid: boolean;
  /** ESORT (RFC 5267) options, as for ESEARCH. */
  returnOptions: SearchReturn[] | undefined;
  criteria: SortCriterion[];
  charset: string;
  search: SearchKey;
}

const KEYS = new Set<string>([
  'ARRIVAL',
  'CC',
  'DATE',
  'FROM',
  'SIZE',
  'SUBJECT',
  'TO',
  'DISPLAYFROM',
  'DISPLAYTO',
]);

export function parseSort(tag: string, uid: boolean, r: TokenReader): SortCommand {
  let returnOptions: SearchReturn[] | undefined;
  if (r.peekKeyword() === 'RETURN') {
    r.pos++;
    returnOptions = parseReturnOptions(r);
  }
  const criteria: SortCriterion[] = [];
  r.open('sort criteria');
  while (!r.isClose()) {
    let key = r.keyword('sort key');
    const reverse = key === 'REVERSE';
    if (reverse) key = r.keyword('sort key');
    if (!KEYS.has(key)) throw new ImapParseError(`Unknown sort key ${key}`);
    criteria.push({ key: key as SortKey, reverse });
  }
  r.close('sort criteria');
  if (criteria.length === 0) throw new ImapParseError('Empty sort criteria');
  const charset = r.astring('charset').toUpperCase();
  const search = parseSearchKeys(r, charsetDecoder(charset));
  return { name: 'SORT', tag, uid, returnOptions, criteria, charset, search };
}
