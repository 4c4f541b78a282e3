/**
 * Cyrus IMAP's per-folder metadata, read for an import: `cyrus.index` (one fixed-size record per
 * message: UID, internal date, flags) and `cyrus.header` (the folder's name and the names of its
 * keywords). Layout from cyrus-imapd's imap/mailbox.h and imap/index_file.c: all fields
 * big-endian; the header gives the minor version, where the records start, their size and count.
 * Versions 10 to 19 (Cyrus 2.3 to 3.12) keep UID at 0, the internal date (seconds, 32 bits) at 4,
 * system flags at 32 and 128 keyword bits at 36 in every record; version 20 (Cyrus 3.13 on) keeps
 * the internal date as 64-bit nanoseconds at 8, system flags at 36 and keyword bits at 40.
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
const USER_FLAG_WORDS = 4;
/** Where a version's record fields are (the UID is at 0 in all of them). */
const LAYOUT = {
  v10: { internalDate: 4, systemFlags: 32, userFlags: 36 },
  v20: { internalDate: 8, systemFlags: 36, userFlags: 40 },
} as const;

const SYSTEM_FLAGS: Array<[number, string]> = [
  [1 << 0, '\\Answered'],
  [1 << 1, '\\Flagged'],
  [1 << 2, '\\Deleted'],
  [1 << 3, '\\Draft'],
  [1 << 4, '\\Seen'],
];
const FLAG_EXPUNGED = 0x80000000;

export const CYRUS_INDEX_VERSIONS = { min: 10, max: 20 } as const;

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
      `${file}: index version ${version}; versions ${CYRUS_INDEX_VERSIONS.min} to ${CYRUS_INDEX_VERSIONS.max} (Cyrus 2.3 to 3.13) can be read`,
    );
  const at = version >= 20 ? LAYOUT.v20 : LAYOUT.v10;
  const start = buf.readUInt32BE(OFFSET_START_OFFSET);
  const size = buf.readUInt32BE(OFFSET_RECORD_SIZE);
  const count = buf.readUInt32BE(OFFSET_NUM_RECORDS);
  const RECORD_MIN = at.userFlags + USER_FLAG_WORDS * 4;
  if (size < RECORD_MIN)
    throw new Error(`${file}: record size ${size}, below the ${RECORD_MIN} bytes of its fields`);
  if (start < HEADER_MIN || start + size * count > buf.length)
    throw new Error(
      `${file}: ${count} records of ${size} bytes from offset ${start} do not fit in ${buf.length} bytes (truncated?)`,
    );
  const out: CyrusRecord[] = [];
  for (let i = 0; i < count; i++) {
    const rec = start + i * size;
    const system = buf.readUInt32BE(rec + at.systemFlags);
    const flags = SYSTEM_FLAGS.filter(([bit]) => system & bit).map(([, name]) => name);
    for (let w = 0; w < USER_FLAG_WORDS; w++) {
      const word = buf.readUInt32BE(rec + at.userFlags + w * 4);
      for (let b = 0; b < 32; b++) {
        const name = word & (1 << b) ? keywords[w * 32 + b] : undefined;
        // A bit without a name in cyrus.header is a keyword Cyrus itself no longer shows.
        if (name) flags.push(name);
      }
    }
    out.push({
      uid: buf.readUInt32BE(rec + OFFSET_UID),
      internalDate:
        version >= 20
          ? Number(buf.readBigUInt64BE(rec + at.internalDate) / 1_000_000n)
          : buf.readUInt32BE(rec + at.internalDate) * 1000,
      flags,
      expunged: (system & FLAG_EXPUNGED) !== 0,
    });
  }
  return out;
}

/** Names come as bytes (the header is read as latin1, so literal lengths count bytes); Cyrus writes UTF-8. */
const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');

/**
 * Keyword names by bit from cyrus.header (`text`: the file read as latin1). After the magic lines Cyrus 3 writes one dlist,
 * `%(T e N user.alice … U ($Label1 Work))`; Cyrus 2 writes `quotaroot\tuniqueid`, then the names
 * separated by spaces, then the ACL.
 */
export function parseCyrusHeader(text: string): string[] {
  const dl = headerDlist(text);
  if (dl) {
    const u = dl.get('U');
    return Array.isArray(u) ? u.filter((k): k is string => typeof k === 'string').map(utf8) : [];
  }
  const [, second = ''] = afterMagic(text).split('\n');
  return second.split(' ').filter(Boolean).map(utf8);
}

/**
 * The folder's internal name from a Cyrus 3 cyrus.header read as latin1 (`N user.alice.Work`, in the form
 * Cyrus keeps in mailboxes.db); Cyrus 2 headers do not hold it.
 */
export function cyrusHeaderName(text: string): string | undefined {
  const n = headerDlist(text)?.get('N');
  return typeof n === 'string' ? utf8(n) : undefined;
}

/** The header after its three magic lines (the last is "\t--Jim Morris on Andrew"). */
function afterMagic(text: string): string {
  let at = 0;
  for (let i = 0; i < 3; i++) {
    at = text.indexOf('\n', at) + 1;
    if (at === 0) throw new Error('not a cyrus.header: the magic lines are missing');
  }
  return text.slice(at);
}

function headerDlist(text: string): Map<string, Dlist> | undefined {
  const rest = afterMagic(text);
  if (!rest.startsWith('%(')) return undefined;
  const dl = readDlist(rest);
  if (!(dl instanceof Map)) throw new Error('cyrus.header: the dlist is not a map');
  return dl;
}

type Dlist = string | null | Dlist[] | Map<string, Dlist>;

const DLIST_TOKEN = /[ \t]*(?:(%\()|(\()|(\))|"((?:[^"\\]|\\.)*)"|\{(\d+)\+?\}\r?\n|([^\s()"{}]+))/y;

/**
 * One value in Cyrus's dlist text form (imap/dlist.c): NIL, atoms, "quoted" strings, {N}
 * literals (names with 8-bit bytes, quotes or %), (lists) and %(key value …) maps.
 */
export function readDlist(text: string): Dlist {
  let at = 0;
  const next = () => {
    DLIST_TOKEN.lastIndex = at;
    const m = DLIST_TOKEN.exec(text);
    if (!m) throw new Error(`dlist: unexpected ${JSON.stringify(text.slice(at, at + 20))} at ${at}`);
    at = DLIST_TOKEN.lastIndex;
    return m;
  };
  const scalar = (m: RegExpExecArray): string | undefined => {
    if (m[4] !== undefined) return m[4].replace(/\\(.)/g, '$1');
    if (m[5] !== undefined) {
      const n = Number(m[5]);
      if (at + n > text.length) throw new Error(`dlist: a literal of ${n} runs past the end`);
      at += n;
      return text.slice(at - n, at);
    }
    return m[6];
  };
  const value = (m: RegExpExecArray, depth: number): Dlist => {
    if (depth > 64) throw new Error('dlist: nested too deep');
    if (m[1]) {
      const map = new Map<string, Dlist>();
      for (let k = next(); !k[3]; k = next()) {
        const key = scalar(k);
        if (key === undefined) throw new Error('dlist: a map key is not a string');
        map.set(key, value(next(), depth + 1));
      }
      return map;
    }
    if (m[2]) {
      const list: Dlist[] = [];
      for (let n = next(); !n[3]; n = next()) list.push(value(n, depth + 1));
      return list;
    }
    if (m[3]) throw new Error('dlist: unexpected )');
    const s = scalar(m)!;
    return m[6] === 'NIL' ? null : s;
  };
  return value(next(), 0);
}
