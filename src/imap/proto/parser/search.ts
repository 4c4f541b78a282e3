import { TextDecoder } from 'node:util';
import { ImapParseError } from '../errors.js';
import { parseSequenceSet, type SequenceSet } from '../sequence.js';
import { isValidUtf8 } from '../utf7.js';
import { parseDate, type TokenReader } from './reader.js';

export type SearchKey =
  | { op: 'all' }
  | { op: 'and'; keys: SearchKey[] }
  | { op: 'or'; left: SearchKey; right: SearchKey }
  | { op: 'not'; key: SearchKey }
  /** `set: false` for UNSEEN, UNKEYWORD and friends. */
  | { op: 'flag'; flag: string; set: boolean }
  | { op: 'seq'; set: SequenceSet }
  | { op: 'uid'; set: SequenceSet }
  /** FROM, TO, CC, BCC, SUBJECT arrive as their header, `field` lower-cased; empty `value` means present. */
  | { op: 'header'; field: string; value: string }
  | { op: 'body' | 'text'; value: string }
  /** `internal` is INTERNALDATE, `sent` the Date header, `saved` SAVEDATE (RFC 8514); ISO dates. */
  | { op: 'date'; field: 'internal' | 'sent' | 'saved'; cmp: 'before' | 'on' | 'since'; date: string }
  | { op: 'size'; cmp: 'larger' | 'smaller'; size: number }
  | { op: 'modseq'; modseq: number; entry: { name: string; type: 'priv' | 'shared' | 'all' } | undefined }
  /** WITHIN (RFC 5032): OLDER / YOUNGER than `seconds`. */
  | { op: 'age'; cmp: 'older' | 'younger'; seconds: number }
  /** OBJECTID (RFC 8474). */
  | { op: 'emailId' | 'threadId'; id: string };

export type SearchReturn = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

export interface SearchCommand {
  name: 'SEARCH';
  tag: string;
  uid: boolean;
  /** As given, upper-cased; strings below are already decoded from it. */
  charset: string | undefined;
  /** ESEARCH (RFC 4731) options; `undefined` asks for the classic SEARCH response, `[]` means ALL. */
  returnOptions: SearchReturn[] | undefined;
  criteria: SearchKey;
}

const RETURNS = new Set<string>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);
const MAX_DEPTH = 64;

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  RECENT: ['\\Recent', true],
  SEEN: ['\\Seen', true],
  OLD: ['\\Recent', false],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const ADDRESS_KEYS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
const DATE_KEYS: Record<string, ['internal' | 'sent' | 'saved', 'before' | 'on' | 'since']> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
  SAVEDBEFORE: ['saved', 'before'],
  SAVEDON: ['saved', 'on'],
  SAVEDSINCE: ['saved', 'since'],
};

/** Decodes search strings from the declared charset into text. */
export type StringDecoder = (raw: Buffer) => string;

export function charsetDecoder(charset: string | undefined): StringDecoder {
  if (charset === undefined || charset === 'UTF-8' || charset === 'US-ASCII') {
    return (raw) => {
      if (!isValidUtf8(raw)) throw new ImapParseError('Invalid UTF-8 in search string');
      return raw.toString('utf8');
    };
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new ImapParseError(`Unsupported charset ${charset}`, {
      status: 'NO',
      code: 'BADCHARSET (UTF-8 US-ASCII)',
    });
  }
  return (raw) => {
    try {
      return decoder.decode(raw);
    } catch {
      throw new ImapParseError(`Invalid ${charset} in search string`);
    }
  };
}

/** `RETURN (...)` of ESEARCH, SORT and THREAD; the caller has consumed `RETURN`. */
export function parseReturnOptions(r: TokenReader): SearchReturn[] {
  return r.list('return options', () => {
    const opt = r.keyword('return option');
    if (!RETURNS.has(opt)) throw new ImapParseError(`Unknown return option ${opt}`);
    return opt as SearchReturn;
  });
}

/** One or more search keys up to the end of the command, as one key (an AND when several). */
export function parseSearchKeys(r: TokenReader, decode: StringDecoder): SearchKey {
  const keys: SearchKey[] = [];
  do keys.push(parseKey(r, decode, 0));
  while (!r.done);
  return keys.length === 1 ? keys[0]! : { op: 'and', keys };
}

function parseKey(r: TokenReader, decode: StringDecoder, depth: number): SearchKey {
  if (depth > MAX_DEPTH) throw new ImapParseError('Search keys nested too deeply');
  if (r.isOpen()) {
    const keys = r.list('search keys', () => parseKey(r, decode, depth + 1), true);
    return keys.length === 1 ? keys[0]! : { op: 'and', keys };
  }
  const atom = r.atom('search key');
  const key = atom.toUpperCase();
  const flag = FLAG_KEYS[key];
  if (flag) return { op: 'flag', flag: flag[0], set: flag[1] };
  const date = DATE_KEYS[key];
  if (date) return { op: 'date', field: date[0], cmp: date[1], date: parseDate(r.astring('date')) };
  if (ADDRESS_KEYS.has(key))
    return { op: 'header', field: key.toLowerCase(), value: decode(r.astringBytes(key)) };
  switch (key) {
    case 'ALL':
      return { op: 'all' };
    case 'NEW':
      return {
        op: 'and',
        keys: [
          { op: 'flag', flag: '\\Recent', set: true },
          { op: 'flag', flag: '\\Seen', set: false },
        ],
      };
    case 'BODY':
    case 'TEXT':
      return { op: key === 'BODY' ? 'body' : 'text', value: decode(r.astringBytes(key)) };
    case 'HEADER': {
      const field = r.astring('header field name').toLowerCase();
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) throw new ImapParseError('Invalid header field name');
      return { op: 'header', field, value: decode(r.astringBytes('header value')) };
    }
    case 'KEYWORD':
    case 'UNKEYWORD':
      return { op: 'flag', flag: r.flag(), set: key === 'KEYWORD' };
    case 'LARGER':
    case 'SMALLER':
      return { op: 'size', cmp: key === 'LARGER' ? 'larger' : 'smaller', size: r.number64('size') };
    case 'NOT':
      return { op: 'not', key: parseKey(r, decode, depth + 1) };
    case 'OR':
      return { op: 'or', left: parseKey(r, decode, depth + 1), right: parseKey(r, decode, depth + 1) };
    case 'UID':
      return { op: 'uid', set: r.sequenceSet() };
    case 'MODSEQ':
      return parseModseq(r);
    case 'OLDER':
    case 'YOUNGER':
      return { op: 'age', cmp: key === 'OLDER' ? 'older' : 'younger', seconds: r.nzNumber('interval') };
    case 'EMAILID':
    case 'THREADID': {
      const id = r.atom('object id');
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(id)) throw new ImapParseError('Invalid object id');
      return { op: key === 'EMAILID' ? 'emailId' : 'threadId', id };
    }
  }
  if (/^[0-9*$]/.test(atom)) return { op: 'seq', set: parseSequenceSet(atom) };
  throw new ImapParseError(`Unknown search key ${atom}`);
}

function parseModseq(r: TokenReader): SearchKey {
  let entry: { name: string; type: 'priv' | 'shared' | 'all' } | undefined;
  if (r.peek()?.type !== 'atom') {
    const name = r.string('entry name');
    const type = r.keyword('entry type').toLowerCase();
    if (type !== 'priv' && type !== 'shared' && type !== 'all')
      throw new ImapParseError('Invalid entry type');
    entry = { name, type };
  }
  return { op: 'modseq', modseq: r.number64('mod-sequence'), entry };
}

export function parseSearch(tag: string, uid: boolean, r: TokenReader): SearchCommand {
  let returnOptions: SearchReturn[] | undefined;
  let charset: string | undefined;
  if (r.peekKeyword() === 'RETURN') {
    r.pos++;
    returnOptions = parseReturnOptions(r);
  }
  if (r.peekKeyword() === 'CHARSET') {
    r.pos++;
    charset = r.astring('charset').toUpperCase();
  }
  const decode = charsetDecoder(charset);
  const criteria = parseSearchKeys(r, decode);
  return { name: 'SEARCH', tag, uid, charset, returnOptions, criteria };
}
