/**
 * A Maildir file name: `TIME.UNIQUE.HOST[,S=size][,W=vsize]:2,FLAGS` (`!` or `;` instead of `:`
 * where the filesystem forbids colons). Flags are single letters in ASCII order: D draft, F flagged,
 * P passed (forwarded), R replied, S seen, T trashed; lower-case letters are Dovecot keywords,
 * numbered in the folder's `dovecot-keywords` file.
 */
export interface MaildirName {
  flags: string[];
  /** The delivery time in the name's first field, ms. */
  time?: number;
  /** Letters a-z found, to be mapped through dovecot-keywords. */
  keywordLetters: string[];
}

const SYSTEM: Record<string, string> = {
  D: '\\Draft',
  F: '\\Flagged',
  P: '$Forwarded',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
};
const INFO = /[:!;]2,([A-Za-z]*)$/;

export function parseMaildirName(name: string): MaildirName {
  const info = INFO.exec(name);
  const letters = info ? [...new Set(info[1]!)] : [];
  const seconds = /^(\d{1,12})(?:\.|$)/.exec(name);
  return {
    flags: letters.filter((c) => SYSTEM[c]).map((c) => SYSTEM[c]!),
    keywordLetters: letters.filter((c) => c >= 'a' && c <= 'z'),
    ...(seconds ? { time: Number(seconds[1]) * 1000 } : {}),
  };
}

/** `0 $Label1` lines of a dovecot-keywords file → letter → keyword. */
export function parseDovecotKeywords(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\S+)$/.exec(line.trim());
    if (m && Number(m[1]) < 26) out.set(String.fromCharCode(97 + Number(m[1])), m[2]!);
  }
  return out;
}
