import { compileRegex, type SafeRegex } from './regex.js';

/** RFC 4790 comparators that RFC 5228 requires plus i;ascii-numeric. */
export type Comparator = 'i;octet' | 'i;ascii-casemap' | 'i;ascii-numeric';
export type MatchType = 'is' | 'contains' | 'matches' | 'regex' | 'value' | 'count';
export type Relation = 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';

export const COMPARATORS: readonly Comparator[] = ['i;octet', 'i;ascii-casemap', 'i;ascii-numeric'];
export const RELATIONS: readonly Relation[] = ['gt', 'ge', 'lt', 'le', 'eq', 'ne'];

export interface MatchSpec {
  type: MatchType;
  comparator: Comparator;
  relation?: Relation;
}

export type Tick = (units: number) => void;

export interface MatchResult {
  matched: boolean;
  /** Values for ${0}..${n} after a successful :matches or :regex. */
  captures?: string[];
}

const NON_ASCII = /[^\x00-\x7f]/;
const folded = new Map<string, string>();

/**
 * i;ascii-casemap folds A–Z only; for pure-ASCII text (nearly all) toLowerCase does exactly that,
 * faster. A rule-editor script folds the same Subject once per rule, so short values are remembered
 * (bounded by clearing when full).
 */
function foldAscii(s: string): string {
  let f = folded.get(s);
  if (f === undefined) {
    f = NON_ASCII.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase();
    if (s.length <= 1024) {
      if (folded.size >= 512) folded.clear();
      folded.set(s, f);
    }
  }
  return f;
}

/** Which match types each comparator supports (RFC 5228 §2.7.3, RFC 4790 §9.1). */
export function comparatorSupports(cmp: Comparator, type: MatchType): boolean {
  return cmp !== 'i;ascii-numeric' || type === 'is' || type === 'value' || type === 'count';
}

/** RFC 4790 §9.1.1: the leading digits as a number; a string without them is positive infinity. */
function compareNumeric(a: string, b: string): number {
  const num = (s: string) => /^[0-9]+/.exec(s)?.[0].replace(/^0+(?=.)/, '');
  const x = num(a);
  const y = num(b);
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareValues(cmp: Comparator, a: string, b: string): number {
  if (cmp === 'i;ascii-numeric') return compareNumeric(a, b);
  if (cmp === 'i;ascii-casemap') {
    a = foldAscii(a);
    b = foldAscii(b);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function holds(rel: Relation, order: number): boolean {
  switch (rel) {
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
  }
}

type GlobToken = { kind: 'lit'; c: string } | { kind: '?' } | { kind: '*' };

function globTokens(pattern: string, fold: boolean): GlobToken[] {
  const out: GlobToken[] = [];
  const chars = Array.from(fold ? foldAscii(pattern) : pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) out.push({ kind: 'lit', c: chars[++i]! });
    else if (c === '*') out.push({ kind: '*' });
    else if (c === '?') out.push({ kind: '?' });
    else out.push({ kind: 'lit', c });
  }
  return out;
}

/**
 * RFC 5228 :matches without backtracking beyond the last "*" (O(n·m)); each wildcard takes the
 * shortest text that lets the rest match, which gives RFC 5229's match variables.
 */
export function globMatch(pattern: string, value: string, fold: boolean, tick?: Tick): string[] | undefined {
  const toks = globTokens(pattern, fold);
  const raw = Array.from(value);
  const text = fold ? Array.from(foldAscii(value)) : raw;
  const caps: [number, number][] = toks.map(() => [0, 0]);
  let p = 0;
  let s = 0;
  let star = -1;
  let starFrom = 0;
  let steps = 0;
  while (s < text.length) {
    steps++;
    const t = toks[p];
    if (t?.kind === '?' || (t?.kind === 'lit' && t.c === text[s])) {
      caps[p] = [s, s + 1];
      p++;
      s++;
    } else if (t?.kind === '*') {
      star = p;
      starFrom = s;
      caps[p] = [s, s];
      p++;
    } else if (star >= 0) {
      p = star + 1;
      s = ++starFrom;
      caps[star] = [caps[star]![0], s];
    } else {
      tick?.(steps);
      return undefined;
    }
  }
  tick?.(steps);
  while (toks[p]?.kind === '*') caps[p++] = [s, s];
  if (p !== toks.length) return undefined;
  const vars = [value];
  toks.forEach((t, i) => {
    if (t.kind !== 'lit') vars.push(raw.slice(caps[i]![0], caps[i]![1]).join(''));
  });
  return vars;
}

const regexCache = new Map<string, SafeRegex>();

/** Compiled regexes are shared across scripts; the cache is bounded by clearing it when full. */
export function cachedRegex(pattern: string, caseless: boolean): SafeRegex {
  const key = `${caseless ? 'i' : 's'}${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    re = compileRegex(pattern, caseless);
    if (regexCache.size >= 1000) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

const foldedLists = new WeakMap<readonly string[], readonly string[]>();

/** A script's constant key list is the same array on every run, so its folded form is kept with it. */
function foldedList(keys: readonly string[]): readonly string[] {
  let f = foldedLists.get(keys);
  if (!f) {
    f = keys.map(foldAscii);
    foldedLists.set(keys, f);
  }
  return f;
}

const NO_MATCH: MatchResult = Object.freeze({ matched: false });

/** RFC 5228 §2.7: true when any value matches any key. */
export function matchValues(
  spec: MatchSpec,
  values: readonly string[],
  keys: readonly string[],
  tick: Tick,
): MatchResult {
  const { comparator: cmp } = spec;
  const fold = cmp === 'i;ascii-casemap';
  if (spec.type === 'count') {
    const count = String(values.length);
    return { matched: keys.some((k) => holds(spec.relation!, compareValues(cmp, count, k))) };
  }
  const foldedKeys = spec.type === 'contains' && fold ? foldedList(keys) : keys;
  for (const v of values) {
    const hay = spec.type === 'contains' && fold ? foldAscii(v) : v;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      tick(1);
      switch (spec.type) {
        case 'is':
          if (compareValues(cmp, v, k) === 0) return { matched: true };
          break;
        case 'contains':
          tick(Math.ceil(v.length / 64));
          if (hay.includes(foldedKeys[i]!)) return { matched: true };
          break;
        case 'value':
          if (holds(spec.relation!, compareValues(cmp, v, k))) return { matched: true };
          break;
        case 'matches': {
          const caps = globMatch(k, v, fold, tick);
          if (caps) return { matched: true, captures: caps };
          break;
        }
        case 'regex': {
          const caps = cachedRegex(k, fold).exec(v, tick);
          if (caps) return { matched: true, captures: caps };
          break;
        }
      }
    }
  }
  return NO_MATCH;
}
