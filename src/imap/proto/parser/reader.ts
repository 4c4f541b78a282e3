import { ImapParseError } from '../errors.js';
import { MAX_NUMBER, parseNzNumber, parseSequenceSet, type SequenceSet } from '../sequence.js';
import type { Token } from '../tokens.js';
import { decodeMailboxName, isValidUtf8 } from '../utf7.js';

/** What the session has enabled that changes how arguments read. */
export interface ParseContext {
  /** UTF8=ACCEPT is enabled: mailbox names and strings are UTF-8, not modified UTF-7. */
  utf8: boolean;
}

const SYSTEM_FLAGS = new Map(
  ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', '\\Recent'].map((f) => [f.toUpperCase(), f]),
);
/** flag-keyword is an atom; resp-specials (`]`) and list wildcards are atom-specials too. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const KEYWORD = /^[^\x00-\x20\x7f(){%*"\\\]]+$/;
const ATOM_NUMBER = /^[0-9]+$/;
const MAX_NUMBER64 = 2n ** 63n - 1n;

/** A cursor over a command's argument tokens; every miss throws an ImapParseError fit for BAD. */
export class TokenReader {
  pos = 0;

  constructor(
    readonly tokens: readonly Token[],
    readonly ctx: ParseContext = { utf8: false },
  ) {}

  get done(): boolean {
    return this.pos >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  /** The next token if it is an atom, upper-cased, without consuming it. */
  peekKeyword(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.type === 'atom' ? t.value.toUpperCase() : undefined;
  }

  next(what: string): Token {
    const t = this.tokens[this.pos];
    if (!t) throw new ImapParseError(`Missing ${what}`);
    this.pos++;
    return t;
  }

  end(): void {
    if (!this.done) throw new ImapParseError('Unexpected extra arguments');
  }

  isOpen(): boolean {
    return this.tokens[this.pos]?.type === '(';
  }

  isClose(): boolean {
    return this.tokens[this.pos]?.type === ')';
  }

  open(what: string): void {
    if (this.next(what).type !== '(') throw new ImapParseError(`Expected ( before ${what}`);
  }

  close(what: string): void {
    if (this.next(what).type !== ')') throw new ImapParseError(`Expected ) after ${what}`);
  }

  /** Reads `( item* )` (empty allowed unless `nonEmpty`). */
  list<T>(what: string, item: () => T, nonEmpty = false): T[] {
    this.open(what);
    const out: T[] = [];
    while (!this.isClose()) {
      if (this.done) throw new ImapParseError(`Unterminated list of ${what}`);
      out.push(item());
    }
    this.pos++;
    if (nonEmpty && out.length === 0) throw new ImapParseError(`Empty list of ${what}`);
    return out;
  }

  /** One item, or a parenthesized list of them. */
  oneOrList<T>(what: string, item: () => T): T[] {
    return this.isOpen() ? this.list(what, item, true) : [item()];
  }

  atom(what: string): string {
    const t = this.next(what);
    if (t.type !== 'atom') throw new ImapParseError(`Expected ${what}`);
    return t.value;
  }

  keyword(what: string): string {
    return this.atom(what).toUpperCase();
  }

  expectKeyword(word: string): void {
    if (this.keyword(word) !== word) throw new ImapParseError(`Expected ${word}`);
  }

  number(what: string): number {
    const text = this.atom(what);
    const n = Number(text);
    if (!ATOM_NUMBER.test(text) || n > MAX_NUMBER) throw new ImapParseError(`Invalid ${what}`);
    return n;
  }

  nzNumber(what: string): number {
    return parseNzNumber(this.atom(what), what);
  }

  /**
   * number64 / mod-sequence-value. Values past 2^53 are clamped: this server never issues one, so
   * a clamped value compares with every real mod-sequence exactly as the true value would.
   */
  number64(what: string, nonZero = false): number {
    const text = this.atom(what);
    if (!ATOM_NUMBER.test(text) || text.length > 19 || (nonZero && /^0+$/.test(text))) {
      throw new ImapParseError(`Invalid ${what}`);
    }
    if (text.length < 16) return Number(text);
    if (BigInt(text) > MAX_NUMBER64) throw new ImapParseError(`Invalid ${what}`);
    return Math.min(Number(text), Number.MAX_SAFE_INTEGER);
  }

  /** astring bytes: an atom, a quoted string or a literal. */
  astringBytes(what: string): Buffer {
    const t = this.next(what);
    if (t.type === 'atom') return Buffer.from(t.value, 'utf8');
    if (t.type === 'quoted' || (t.type === 'literal' && !t.binary)) return t.value;
    throw new ImapParseError(`Expected ${what}`);
  }

  /** astring as text; its bytes must be UTF-8 (which includes US-ASCII). */
  astring(what: string): string {
    return utf8Text(this.astringBytes(what), what);
  }

  /** string: quoted or literal only. */
  stringBytes(what: string, allowBinary = false): Buffer {
    const t = this.next(what);
    if (t.type === 'quoted' || (t.type === 'literal' && (allowBinary || !t.binary))) return t.value;
    throw new ImapParseError(`Expected string for ${what}`);
  }

  string(what: string): string {
    return utf8Text(this.stringBytes(what), what);
  }

  /** nstring: NIL or a string. */
  nstringBytes(what: string, allowBinary = false): Buffer | null {
    const t = this.peek();
    if (t?.type === 'atom' && t.value.toUpperCase() === 'NIL') {
      this.pos++;
      return null;
    }
    return this.stringBytes(what, allowBinary);
  }

  nstring(what: string): string | null {
    const b = this.nstringBytes(what);
    return b === null ? null : utf8Text(b, what);
  }

  mailbox(what = 'mailbox name'): string {
    const raw = this.astringBytes(what);
    if (raw.length === 5 && raw.toString('latin1').toUpperCase() === 'INBOX') return 'INBOX';
    const name = decodeMailboxName(raw, this.ctx.utf8);
    if (name.length === 0) throw new ImapParseError('Empty mailbox name');
    return name;
  }

  flag(): string {
    const value = this.atom('flag');
    if (value.startsWith('\\')) {
      const system = SYSTEM_FLAGS.get(value.toUpperCase());
      if (system) return system;
      if (!KEYWORD.test(value.slice(1))) throw new ImapParseError('Invalid flag');
      return value;
    }
    if (!KEYWORD.test(value)) throw new ImapParseError('Invalid flag');
    return value;
  }

  flagList(): string[] {
    return this.list('flags', () => this.flag());
  }

  sequenceSet(): SequenceSet {
    return parseSequenceSet(this.atom('sequence set'));
  }
}

export function utf8Text(raw: Buffer, what: string): string {
  if (!isValidUtf8(raw)) throw new ImapParseError(`Invalid UTF-8 in ${what}`);
  return raw.toString('utf8');
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** date-text `1-Feb-1994` as an ISO date `1994-02-01`, for SEARCH. */
export function parseDate(text: string): string {
  const m = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/.exec(text);
  const month = m ? MONTHS.indexOf(m[2]!.toUpperCase()) : -1;
  const day = m ? Number(m[1]) : 0;
  if (!m || month < 0 || day < 1 || day > daysIn(Number(m[3]), month))
    throw new ImapParseError('Invalid date');
  return `${m[3]}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** date-time `"17-Jul-1996 02:44:25 -0700"` (APPEND) as a Date. */
export function parseDateTime(text: string): Date {
  const m =
    /^ ?([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$/.exec(
      text,
    );
  if (!m) throw new ImapParseError('Invalid date-time');
  const month = MONTHS.indexOf(m[2]!.toUpperCase());
  const day = Number(m[1]!.trim());
  const year = Number(m[3]);
  const [h, mi, s, zh, zm] = [m[4], m[5], m[6], m[8], m[9]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 0 || day < 1 || day > daysIn(year, month) || h > 23 || mi > 59 || s > 60 || zm > 59) {
    throw new ImapParseError('Invalid date-time');
  }
  const offset = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  return new Date(Date.UTC(year, month, day, h, mi, Math.min(s, 59)) - offset * 60_000);
}
