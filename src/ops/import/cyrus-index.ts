/**
 * Cyrus IMAP's per-folder metadata, read for an import: `cyrus.index` (one fixed-size record per
 * message: UID, internal date, flags) and `cyrus.header` (the names of the folder's keywords).
 * Layout from cyrus-imapd's imap/mailbox.h: all fields big-endian; the header gives the minor
 * version, where the records start, their size and count. Versions 10 to 19 (Cyrus 2.3 to 3.8)
 * keep UID at 0, the internal date (seconds) at 4, system flags at 32 and 128 keyword bits at
 * 36 in every record; version 20 moved them and is refused rather than misread.
 */
export interface CyrusRecord {
  uid: number;
  /** ms since the epoch. */
  internalDate: number;
  flags: string[];
  /** Expunged but kept for delayed expunge: its file may still be on disk, it is not mail. */
  expunged: boolean;
}

const OFFSET_MINOR_VERSION = 8;
const OFFSET_START_OFFSET = 12;
const OFFSET_RECORD_SIZE = 16;
const OFFSET_NUM_RECORDS = 20;
const HEADER_MIN = 24;

const OFFSET_UID = 0;
const OFFSET_INTERNALDATE = 4;
const OFFSET_SYSTEM_FLAGS = 32;
const OFFSET_USER_FLAGS = 36;
const USER_FLAG_WORDS = 4;
const RECORD_MIN = OFFSET_USER_FLAGS + USER_FLAG_WORDS * 4;

const SYSTEM_FLAGS: Array<[number, string]> = [
  [1 << 0, '\\Answered'],
  [1 << 1, '\\Flagged'],
  [1 << 2, '\\Deleted'],
  [1 << 3, '\\Draft'],
  [1 << 4, '\\Seen'],
];
const FLAG_EXPUNGED = 0x80000000;

export const CYRUS_INDEX_VERSIONS = { min: 10, max: 19 } as const;

/** The records of a cyrus.index; `keywords[i]` names user flag bit i (see parseCyrusHeader). */
export function parseCyrusIndex(
  buf: Buffer,
  keywords: readonly string[],
  file = 'cyrus.index',
): CyrusRecord[] {
  if (buf.length < HEADER_MIN) throw new Error(`${file}: ${buf.length} bytes, shorter than an index header`);
  const version = buf.readUInt32BE(OFFSET_MINOR_VERSION);
  if (version < CYRUS_INDEX_VERSIONS.min || version > CYRUS_INDEX_VERSIONS.max)
    throw new Error(
      `${file}: index version ${version}; versions ${CYRUS_INDEX_VERSIONS.min} to ${CYRUS_INDEX_VERSIONS.max} (Cyrus 2.3 to 3.8) can be read`,
    );
  const start = buf.readUInt32BE(OFFSET_START_OFFSET);
  const size = buf.readUInt32BE(OFFSET_RECORD_SIZE);
  const count = buf.readUInt32BE(OFFSET_NUM_RECORDS);
  if (size < RECORD_MIN)
    throw new Error(`${file}: record size ${size}, below the ${RECORD_MIN} bytes of its fields`);
  if (start < HEADER_MIN || start + size * count > buf.length)
    throw new Error(
      `${file}: ${count} records of ${size} bytes from offset ${start} do not fit in ${buf.length} bytes (truncated?)`,
    );
  const out: CyrusRecord[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * size;
    const system = buf.readUInt32BE(at + OFFSET_SYSTEM_FLAGS);
    const flags = SYSTEM_FLAGS.filter(([bit]) => system & bit).map(([, name]) => name);
    for (let w = 0; w < USER_FLAG_WORDS; w++) {
      const word = buf.readUInt32BE(at + OFFSET_USER_FLAGS + w * 4);
      for (let b = 0; b < 32; b++) {
        const name = word & (1 << b) ? keywords[w * 32 + b] : undefined;
        // A bit without a name in cyrus.header is a keyword Cyrus itself no longer shows.
        if (name) flags.push(name);
      }
    }
    out.push({
      uid: buf.readUInt32BE(at + OFFSET_UID),
      internalDate: buf.readUInt32BE(at + OFFSET_INTERNALDATE) * 1000,
      flags,
      expunged: (system & FLAG_EXPUNGED) !== 0,
    });
  }
  return out;
}

/**
 * Keyword names by bit from cyrus.header. After the magic lines Cyrus 3 writes one dlist,
 * `%(T e N user.alice … U ($Label1 Work))`; Cyrus 2 writes `quotaroot\tuniqueid`, then the names
 * separated by spaces, then the ACL.
 */
export function parseCyrusHeader(text: string): string[] {
  // The magic is three lines; the last is "\t--Jim Morris on Andrew".
  const [first = '', second = ''] = text.split('\n').slice(3);
  if (first.startsWith('%(')) {
    const m = /\sU \(([^)]*)\)/.exec(first);
    return m ? tokens(m[1]!) : [];
  }
  return second.split(' ').filter(Boolean);
}

/** dlist atoms and quoted strings. */
function tokens(list: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(list); m; m = re.exec(list))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}
