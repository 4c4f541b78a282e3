/**
 * System flags are bits in one integer column so SELECT reads them as a byte and STORE changes
 * them for a whole range in one statement; keywords are a space-padded text column.
 */
export const FLAG_BITS = {
  '\\Seen': 1,
  '\\Answered': 2,
  '\\Flagged': 4,
  '\\Deleted': 8,
  '\\Draft': 16,
} as const;

export type SystemFlag = keyof typeof FLAG_BITS;

export const SEEN = FLAG_BITS['\\Seen'];
export const DELETED = FLAG_BITS['\\Deleted'];

const byLower = new Map(Object.entries(FLAG_BITS).map(([k, v]) => [k.toLowerCase(), [k, v] as const]));

/** Splits flag names into system bits and keywords; system flags match case-insensitively. */
export function splitFlags(flags: readonly string[]): { bits: number; keywords: string[] } {
  let bits = 0;
  const keywords = new Set<string>();
  for (const f of flags) {
    const sys = byLower.get(f.toLowerCase());
    if (sys) bits |= sys[1];
    else if (f.startsWith('\\'))
      continue; // \Recent and unknown system flags cannot be stored
    else if (f) keywords.add(f);
  }
  return { bits, keywords: [...keywords] };
}

export function flagNames(bits: number, keywords: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const [name, bit] of Object.entries(FLAG_BITS)) if (bits & bit) out.push(name);
  return out.concat(keywords);
}

/** The keywords column: `''` or ` a b ` (padded so `LIKE '% a %'` finds one). */
export function encodeKeywords(keywords: readonly string[]): string {
  return keywords.length ? ` ${keywords.join(' ')} ` : '';
}

export function decodeKeywords(column: string): string[] {
  return column.split(' ').filter(Boolean);
}

/** A keyword is an IMAP atom: no space, parentheses, braces, quotes, wildcards or backslash. */
export function isValidKeyword(k: string): boolean {
  return /^[\x21-\x7e]+$/.test(k) && !/[(){ %*"\\\]]/.test(k);
}
