import { ImapParseError } from '../errors.js';
import { parseDateTime, type TokenReader } from './reader.js';

/** The message bytes, or the index of a literal the receiver streamed to the caller. */
export type AppendSource = Buffer | { streamed: number; size: number };

/** One part of a CATENATE (RFC 4469): literal text, or an IMAP URL (checked when run). */
export type CatenatePart = { text: AppendSource } | { url: string };

export interface AppendMessage {
  flags: string[];
  internalDate: Date | undefined;
  /** The message, or the parts it is made of with CATENATE. */
  source: AppendSource | { catenate: CatenatePart[] };
  /** Sent as literal8 (BINARY, RFC 3516): the message may hold NUL and unencoded 8-bit parts. */
  binary: boolean;
  /** Sent as `UTF8 (~{N})` (RFC 6855). */
  utf8: boolean;
}

export interface AppendCommand {
  name: 'APPEND';
  tag: string;
  mailbox: string;
  /** More than one only with MULTIAPPEND (RFC 3502). */
  messages: AppendMessage[];
}

export function parseAppend(tag: string, r: TokenReader): AppendCommand {
  const mailbox = r.mailbox();
  const messages: AppendMessage[] = [];
  do messages.push(parseMessage(r));
  while (!r.done);
  return { name: 'APPEND', tag, mailbox, messages };
}

function parseMessage(r: TokenReader): AppendMessage {
  const flags = r.isOpen() ? r.flagList() : [];
  let internalDate: Date | undefined;
  if (r.peek()?.type === 'quoted') internalDate = parseDateTime(r.string('date-time'));
  let utf8 = false;
  if (r.peekKeyword() === 'UTF8') {
    r.pos++;
    utf8 = true;
    r.open('UTF8 data');
  }
  const t = r.next('message literal');
  let msg: AppendMessage;
  if (t.type === 'literal') {
    msg = { flags, internalDate, source: t.value, binary: t.binary, utf8 };
  } else if (t.type === 'streamed') {
    msg = { flags, internalDate, source: { streamed: t.index, size: t.size }, binary: t.binary, utf8 };
  } else if (t.type === 'atom' && t.value.toUpperCase() === 'CATENATE' && !utf8) {
    const catenate = r.list('CATENATE parts', () => catenatePart(r), true);
    return { flags, internalDate, source: { catenate }, binary: false, utf8 };
  } else {
    throw new ImapParseError('Expected message literal');
  }
  if (utf8) {
    if (!t.binary) throw new ImapParseError('UTF8 data must be a literal8');
    r.close('UTF8 data');
  }
  return msg;
}

function catenatePart(r: TokenReader): CatenatePart {
  const kind = r.atom('CATENATE part (TEXT or URL)').toUpperCase();
  if (kind === 'URL') return { url: r.astring('URL') };
  if (kind !== 'TEXT') throw new ImapParseError('Expected TEXT or URL in CATENATE');
  const t = r.next('TEXT literal');
  if (t.type === 'literal') return { text: t.value };
  if (t.type === 'streamed') return { text: { streamed: t.index, size: t.size } };
  throw new ImapParseError('Expected a literal after TEXT');
}
