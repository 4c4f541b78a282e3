import type { ImapParseError } from '../errors.js';
import { formatIds, formatRanges, type RangeList } from '../sequence.js';

export type SimpleResponseCode =
  | 'ALERT'
  | 'PARSE'
  | 'READ-ONLY'
  | 'READ-WRITE'
  | 'TRYCREATE'
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'NOPERM'
  | 'OVERQUOTA'
  | 'TOOBIG'
  | 'CLOSED'
  | 'NOMODSEQ'
  | 'LIMIT'
  | 'INUSE'
  | 'AUTHENTICATIONFAILED'
  | 'AUTHORIZATIONFAILED'
  | 'UNAVAILABLE'
  | 'CANNOT'
  | 'SERVERBUG'
  | 'CLIENTBUG'
  | 'EXPIRED'
  | 'PRIVACYREQUIRED'
  | 'CONTACTADMIN'
  | 'EXPUNGEISSUED'
  | 'CORRUPTION'
  | 'HASCHILDREN'
  | 'NOTSAVED'
  | 'UNKNOWN-CTE'
  | 'UIDNOTSTICKY'
  | 'COMPRESSIONACTIVE'
  | 'USEATTR'
  | 'NOUPDATE';

/** A response code without brackets: one of the simple ones, or built by `codes`. */
export type ResponseCode = SimpleResponseCode | (string & {});

/** Builders for response codes that carry data. */
export const codes = {
  appendUid: (uidValidity: number, uids: ArrayLike<number>): string =>
    `APPENDUID ${uidValidity} ${formatIds(uids)}`,
  /** Source and destination UIDs in corresponding order (RFC 4315). */
  copyUid: (uidValidity: number, source: ArrayLike<number>, dest: ArrayLike<number>): string =>
    `COPYUID ${uidValidity} ${formatIds(source)} ${formatIds(dest)}`,
  highestModseq: (modseq: number): string => `HIGHESTMODSEQ ${modseq}`,
  uidNext: (uid: number): string => `UIDNEXT ${uid}`,
  uidValidity: (v: number): string => `UIDVALIDITY ${v}`,
  unseen: (seq: number): string => `UNSEEN ${seq}`,
  permanentFlags: (flags: readonly string[]): string => `PERMANENTFLAGS (${flags.join(' ')})`,
  capability: (caps: readonly string[]): string => `CAPABILITY ${caps.join(' ')}`,
  modified: (set: RangeList): string => `MODIFIED ${formatRanges(set)}`,
  badCharset: (charsets: readonly string[] = []): string =>
    charsets.length ? `BADCHARSET (${charsets.join(' ')})` : 'BADCHARSET',
  mailboxId: (id: string): string => `MAILBOXID (${id})`,
  appendLimit: (n: number): string => `APPENDLIMIT ${n}`,
  metadataLongEntries: (n: number): string => `METADATA LONGENTRIES ${n}`,
  metadataMaxSize: (n: number): string => `METADATA MAXSIZE ${n}`,
  metadataTooMany: (): string => 'METADATA TOOMANY',
  metadataNoPrivate: (): string => 'METADATA NOPRIVATE',
};

/** Reply text is free text, but a CR or LF in it would end the response early. */
function line(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/[\r\n]+/g, ' ') : text;
}

function statusLine(prefix: string, status: string, text: string, code: ResponseCode | undefined): Buffer {
  const c = code === undefined ? '' : `[${line(code)}] `;
  return Buffer.from(`${prefix} ${status} ${c}${line(text)}\r\n`, 'utf8');
}

export function tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: ResponseCode): Buffer {
  return statusLine(tag, status, text, code);
}

export function untagged(
  status: 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH',
  text: string,
  code?: ResponseCode,
): Buffer {
  return statusLine('*', status, text, code);
}

/** `+ text`: literal continuation, IDLE, or a SASL challenge (base64 given as text). */
export function continuation(text = 'Ready for literal data'): Buffer {
  return Buffer.from(`+ ${line(text)}\r\n`, 'utf8');
}

/** The reply to a refused command: tagged when the tag is known, untagged BAD otherwise. */
export function parseErrorResponse(error: ImapParseError): Buffer {
  if (error.tag === undefined) return untagged('BAD', error.message, error.code);
  return tagged(error.tag, error.status, error.message, error.code);
}
