import type { UidSet } from './types.js';

/**
 * A SEARCH program as a typed tree, compiled to one SQL statement (store/mailbox/search-sql.ts).
 * The protocol layer maps its keys here: FROM/TO/CC/BCC/SUBJECT are `header` keys on those
 * names, sequence sets become `uid` keys, NEW is `and(recent, unseen)`, and so on.
 * Dates are compared by UTC day, as RFC 9051 asks to disregard time and zone.
 */
export type SearchKey =
  | { type: 'all' }
  /** A system flag (`\Seen`, `\Recent`…) or a keyword; `set: false` for UNSEEN, UNKEYWORD. */
  | { type: 'flag'; flag: string; set: boolean }
  | { type: 'uid'; uids: UidSet }
  | { type: 'date'; field: 'internal' | 'sent'; op: 'before' | 'on' | 'since'; date: number }
  /** RFC 5032 OLDER / YOUNGER: internal date relative to now, in seconds. */
  | { type: 'age'; op: 'older' | 'younger'; seconds: number }
  | { type: 'size'; op: 'larger' | 'smaller'; bytes: number }
  /** Case-insensitive substring of a decoded header field; '' matches any message with the field. */
  | { type: 'header'; field: string; value: string }
  /** BODY (decoded text parts) or TEXT (headers and body), through the full-text index. */
  | { type: 'text'; part: 'body' | 'text'; value: string }
  | { type: 'modseq'; modseq: number }
  | { type: 'emailid'; id: string }
  | { type: 'threadid'; id: string }
  | { type: 'and'; keys: SearchKey[] }
  | { type: 'or'; keys: [SearchKey, SearchKey] }
  | { type: 'not'; key: SearchKey };

export interface SearchResult {
  /** Matching uids, ascending. */
  uids: number[];
  /** The highest modseq among the matches (CONDSTORE's SEARCH MODSEQ response), 0 when none. */
  highestModseq: number;
}
