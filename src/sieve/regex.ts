/**
 * POSIX extended regular expressions (RFC draft-ietf-sieve-regex) run on a Pike VM: matching time is
 * linear in input × pattern size, so no user pattern can backtrack catastrophically. This replaces
 * the JavaScript engine on purpose — `(a+)+$` or `.*.*.*x` would hang V8's backtracking matcher.
 * Back-references (which no linear engine can offer) are rejected; sub-matches follow
 * leftmost-first (Perl) priority rather than POSIX leftmost-longest, which only matters for
 * ambiguous groups.
 */

export class RegexError extends Error {
  override name = 'RegexError';
}

type CharTest = (c: number) => boolean;

type Re =
  | { t: 'char'; test: CharTest }
  | { t: 'cat'; items: Re[] }
  | { t: 'alt'; alts: Re[] }
  | { t: 'group'; n: number; body: Re }
  | { t: 'rep'; body: Re; min: number; max: number }
  | { t: 'bol' }
  | { t: 'eol' };

type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'save'; n: number }
  | { op: 'bol' }
  | { op: 'eol' }
  | { op: 'match' };

export interface RegexLimits {
  /** Instructions after expanding bounded repetitions. */
  maxProgram: number;
  /** Input longer than this is matched on its first maxInput characters only. */
  maxInput: number;
}

export const defaultRegexLimits: RegexLimits = { maxProgram: 2000, maxInput: 1 << 16 };

const DUP_MAX = 255;
const MAX_GROUP_DEPTH = 32;

const POSIX_CLASSES: Record<string, CharTest> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => POSIX_CLASSES.alpha!(c) || POSIX_CLASSES.digit!(c),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  blank: (c) => c === 32 || c === 9,
  punct: (c) =>
    (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  print: (c) => c >= 32 && c !== 127,
  graph: (c) => c > 32 && c !== 127,
  cntrl: (c) => c < 32 || c === 127,
  xdigit: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};
const word: CharTest = (c) => POSIX_CLASSES.alnum!(c) || c === 95;

function parse(src: string, caseless: boolean): { re: Re; groups: number } {
  const cps = Array.from(src, (ch) => ch.codePointAt(0)!);
  let pos = 0;
  let groups = 0;
  const fold = (c: number) => (caseless && c >= 65 && c <= 90 ? c + 32 : c);
  const lit = (c: number): Re => {
    const want = fold(c);
    return { t: 'char', test: (x) => x === want };
  };

  const re = parseAlt(0);
  if (pos < cps.length) throw new RegexError('unmatched ")"');
  return { re, groups };

  function parseAlt(depth: number): Re {
    if (depth > MAX_GROUP_DEPTH) throw new RegexError('groups nested too deeply');
    const alts = [parseCat(depth)];
    while (cps[pos] === 0x7c) {
      pos++;
      alts.push(parseCat(depth));
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  function parseCat(depth: number): Re {
    const items: Re[] = [];
    while (pos < cps.length && cps[pos] !== 0x7c && cps[pos] !== 0x29) {
      let atom = parseAtom(depth);
      for (;;) {
        const q = parseQuantifier();
        if (!q) break;
        if (atom.t === 'bol' || atom.t === 'eol') throw new RegexError('quantifier after an anchor');
        atom = { t: 'rep', body: atom, ...q };
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  function parseQuantifier(): { min: number; max: number } | undefined {
    const c = cps[pos];
    if (c === 0x2a) return (pos++, { min: 0, max: Infinity });
    if (c === 0x2b) return (pos++, { min: 1, max: Infinity });
    if (c === 0x3f) return (pos++, { min: 0, max: 1 });
    if (c !== 0x7b) return undefined;
    const m = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(String.fromCodePoint(...cps.slice(pos, pos + 10)));
    if (!m) return undefined;
    pos += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
    if (min > DUP_MAX || (max !== Infinity && (max > DUP_MAX || max < min))) {
      throw new RegexError(`invalid repetition count ${m[0]}`);
    }
    return { min, max };
  }

  function parseAtom(depth: number): Re {
    const c = cps[pos++]!;
    switch (c) {
      case 0x28: {
        const n = ++groups;
        const body = cps[pos] === 0x29 ? ({ t: 'cat', items: [] } as Re) : parseAlt(depth + 1);
        if (cps[pos] !== 0x29) throw new RegexError('missing ")"');
        pos++;
        return { t: 'group', n, body };
      }
      case 0x2e:
        return { t: 'char', test: () => true };
      case 0x5e:
        return { t: 'bol' };
      case 0x24:
        return { t: 'eol' };
      case 0x5b:
        return parseBracket();
      case 0x2a:
      case 0x2b:
      case 0x3f:
        throw new RegexError(`"${String.fromCodePoint(c)}" has nothing to repeat`);
      case 0x5c:
        return parseEscape();
      default:
        return lit(c);
    }
  }

  function parseEscape(): Re {
    const c = cps[pos++];
    if (c === undefined) throw new RegexError('trailing backslash');
    if (c >= 0x31 && c <= 0x39) throw new RegexError('back-references are not supported');
    const ch = String.fromCodePoint(c);
    if (ch === 'w') return { t: 'char', test: word };
    if (ch === 'W') return { t: 'char', test: (x) => !word(x) };
    if (ch === 's') return { t: 'char', test: POSIX_CLASSES.space! };
    if (ch === 'S') return { t: 'char', test: (x) => !POSIX_CLASSES.space!(x) };
    if ("bB<>`'".includes(ch)) throw new RegexError(`"\\${ch}" is not supported`);
    return lit(c);
  }

  function parseBracket(): Re {
    const tests: CharTest[] = [];
    let negate = false;
    if (cps[pos] === 0x5e) {
      negate = true;
      pos++;
    }
    let first = true;
    for (;;) {
      const c = cps[pos];
      if (c === undefined) throw new RegexError('missing "]"');
      if (c === 0x5d && !first) {
        pos++;
        break;
      }
      first = false;
      if (c === 0x5b && cps[pos + 1] === 0x3a) {
        const end = cps.indexOf(0x3a, pos + 2);
        const name = end > 0 && cps[end + 1] === 0x5d ? String.fromCodePoint(...cps.slice(pos + 2, end)) : '';
        const cls = POSIX_CLASSES[name];
        if (!cls) throw new RegexError('unknown character class');
        tests.push(cls);
        pos = end + 2;
        continue;
      }
      if (c === 0x5b && (cps[pos + 1] === 0x2e || cps[pos + 1] === 0x3d)) {
        throw new RegexError('collating elements are not supported');
      }
      pos++;
      if (cps[pos] === 0x2d && cps[pos + 1] !== undefined && cps[pos + 1] !== 0x5d) {
        const hi = cps[pos + 1]!;
        pos += 2;
        if (hi < c) throw new RegexError('invalid range in bracket expression');
        tests.push((x) => x >= c && x <= hi);
      } else {
        tests.push((x) => x === c);
      }
    }
    const inSet = (x: number) => tests.some((t) => t(x));
    const upper = (x: number) => (x >= 97 && x <= 122 ? x - 32 : x);
    const matches = caseless ? (x: number) => inSet(x) || inSet(upper(x)) : inSet;
    return { t: 'char', test: negate ? (x) => !matches(x) : matches };
  }
}

function compile(re: Re, limits: RegexLimits): Inst[] {
  const prog: Inst[] = [];
  const emit = (i: Inst) => {
    if (prog.length >= limits.maxProgram) throw new RegexError('regular expression is too large');
    prog.push(i);
    return prog.length - 1;
  };
  const gen = (r: Re): void => {
    switch (r.t) {
      case 'char':
        emit({ op: 'char', test: r.test });
        return;
      case 'bol':
      case 'eol':
        emit({ op: r.t });
        return;
      case 'cat':
        r.items.forEach(gen);
        return;
      case 'group':
        emit({ op: 'save', n: r.n * 2 });
        gen(r.body);
        emit({ op: 'save', n: r.n * 2 + 1 });
        return;
      case 'alt': {
        const jumps: number[] = [];
        r.alts.forEach((alt, k) => {
          if (k < r.alts.length - 1) {
            const split = emit({ op: 'split', x: 0, y: 0 });
            (prog[split] as { x: number }).x = split + 1;
            gen(alt);
            jumps.push(emit({ op: 'jmp', x: 0 }));
            (prog[split] as { y: number }).y = prog.length;
          } else {
            gen(alt);
          }
        });
        for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < r.min; k++) gen(r.body);
        if (r.max === Infinity) {
          const split = emit({ op: 'split', x: 0, y: 0 });
          gen(r.body);
          emit({ op: 'jmp', x: split });
          prog[split] = { op: 'split', x: split + 1, y: prog.length };
        } else {
          const splits: number[] = [];
          for (let k = r.min; k < r.max; k++) {
            splits.push(emit({ op: 'split', x: 0, y: 0 }));
            gen(r.body);
          }
          for (const s of splits) prog[s] = { op: 'split', x: s + 1, y: prog.length };
        }
        return;
      }
    }
  };
  gen(re);
  emit({ op: 'match' });
  return prog;
}

export interface SafeRegex {
  /** Groups in the pattern; captures are returned for 0..groups. */
  readonly groups: number;
  /**
   * Searches `input` for the leftmost match. `tick` is charged one unit per thread step so the
   * caller's budget bounds the total work. Returns the captures ("" for unset groups) or undefined.
   */
  exec(input: string, tick?: (units: number) => void): string[] | undefined;
}

/** Compiles a POSIX ERE into a linear-time matcher; throws RegexError for unsupported syntax. */
export function compileRegex(
  pattern: string,
  caseless = false,
  limits: RegexLimits = defaultRegexLimits,
): SafeRegex {
  const { re, groups } = parse(pattern, caseless);
  const prog = compile({ t: 'group', n: 0, body: re }, limits);
  const slots = (groups + 1) * 2;
  return {
    groups,
    exec(input, tick) {
      const text = Array.from(
        input.length > limits.maxInput ? input.slice(0, limits.maxInput) : input,
        (ch) => {
          const c = ch.codePointAt(0)!;
          return caseless && c >= 65 && c <= 90 ? c + 32 : c;
        },
      );
      const raw = Array.from(input.length > limits.maxInput ? input.slice(0, limits.maxInput) : input);
      const n = text.length;
      const mark = new Int32Array(prog.length).fill(-1);
      let clist: { pc: number; caps: Int32Array }[] = [];
      let matched: Int32Array | undefined;

      const add = (list: typeof clist, pc0: number, caps0: Int32Array, at: number) => {
        const stack: { pc: number; caps: Int32Array }[] = [{ pc: pc0, caps: caps0 }];
        while (stack.length) {
          const { pc, caps } = stack.pop()!;
          if (mark[pc] === at) continue;
          mark[pc] = at;
          const inst = prog[pc]!;
          switch (inst.op) {
            case 'jmp':
              stack.push({ pc: inst.x, caps });
              break;
            case 'split':
              stack.push({ pc: inst.y, caps }, { pc: inst.x, caps });
              break;
            case 'save': {
              const c = caps.slice();
              c[inst.n] = at;
              stack.push({ pc: pc + 1, caps: c });
              break;
            }
            case 'bol':
              if (at === 0) stack.push({ pc: pc + 1, caps });
              break;
            case 'eol':
              if (at === n) stack.push({ pc: pc + 1, caps });
              break;
            default:
              list.push({ pc, caps });
          }
        }
      };

      for (let at = 0; at <= n; at++) {
        if (!matched) add(clist, 0, new Int32Array(slots).fill(-1), at);
        if (!clist.length) {
          if (matched) break;
          continue;
        }
        tick?.(clist.length);
        const nlist: typeof clist = [];
        for (const { pc, caps } of clist) {
          const inst = prog[pc]!;
          if (inst.op === 'match') {
            matched = caps;
            break;
          }
          if (inst.op === 'char' && at < n && inst.test(text[at]!)) add(nlist, pc + 1, caps, at + 1);
        }
        clist = nlist;
      }
      if (!matched) return undefined;
      const out: string[] = [];
      for (let g = 0; g <= groups; g++) {
        const s = matched[g * 2]!;
        const e = matched[g * 2 + 1]!;
        out.push(s >= 0 && e >= 0 ? raw.slice(s, e).join('') : '');
      }
      return out;
    },
  };
}
