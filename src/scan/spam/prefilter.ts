// One pass over the body for all rules: each regex yields a set of literals at least one of which
// every match contains (its "atoms": one literal for `free\s+money`, one per branch for
// `(?:cheap|free)\s+pills`); an Aho-Corasick automaton finds all atoms of all rules at once, and
// only rules with an atom in the text (or without atoms) run their regex. The same idea as
// SpamAssassin's Rule2XSBody, which also takes one literal per alternative.

/** Literals shorter than this occur in nearly every text, so they filter nothing. */
const MIN_ATOM = 3;
/** Bound on the strings a piece of regex is expanded to (`(?:a|b)(?:c|d)` is 4). */
const MAX_EXACT = 32;

/** What a piece of regex says about the text it matches. */
interface Facts {
  /** every string it can match, when that set is small (lowercased) */
  exact?: string[];
  /** literals (lowercased, >= MIN_ATOM) one of which every match contains */
  need?: string[];
}

const NOTHING: Facts = {};
const EMPTY: Facts = { exact: [''] };

/** Of two requirements, the one likelier to filter: longer shortest literal, then fewer literals. */
function better(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  const ma = Math.min(...a.map((x) => x.length));
  const mb = Math.min(...b.map((x) => x.length));
  return mb > ma || (mb === ma && b.length < a.length) ? b : a;
}

/** A set of literals as a requirement, if none is too short to be worth it. */
function asNeed(exact: string[] | undefined): string[] | undefined {
  return exact && exact.every((x) => x.length >= MIN_ATOM) ? [...new Set(exact)] : undefined;
}

function product(a: string[], b: string[]): string[] | undefined {
  if (a.length * b.length > MAX_EXACT) return undefined;
  return [...new Set(a.flatMap((x) => b.map((y) => x + y)))];
}

/** Every string `min` to `max` copies of the pieces make, if there are few. */
function repeat(pieces: string[], min: number, max: number): string[] | undefined {
  const out = new Set<string>();
  let cur: string[] | undefined = [''];
  for (let k = 0; k <= max && cur; k++) {
    if (k >= min) for (const x of cur) out.add(x);
    if (out.size > MAX_EXACT) return undefined;
    if (k < max) cur = product(cur, pieces);
  }
  return cur ? [...out] : undefined;
}

class SourceParser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Facts {
    const f = this.alternation();
    if (this.i < this.src.length) throw new Error('unbalanced )');
    return f;
  }

  private alternation(): Facts {
    const branches = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    if (branches.length === 1) return branches[0]!;
    const exacts = branches.map((b) => b.exact);
    const all = exacts.every((e) => e) ? [...new Set(exacts.flat() as string[])] : undefined;
    const needs = branches.map((b) => better(b.need, asNeed(b.exact)));
    return {
      exact: all && all.length <= MAX_EXACT ? all : undefined,
      need: needs.every((n) => n) ? [...new Set(needs.flat() as string[])] : undefined,
    };
  }

  private sequence(): Facts {
    let need: string[] | undefined;
    // the strings the run of exact pieces just before the cursor can be; undefined after a gap
    let run: string[] | undefined = [''];
    // the strings the whole sequence can be
    let whole: string[] | undefined = [''];
    const close = (): void => {
      need = better(need, asNeed(run));
      run = undefined;
    };
    const extend = (rep: string[]): void => {
      const longer = run && product(run, rep);
      if (!longer) close();
      run = longer ?? rep;
    };
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      const [min, max] = this.quantifier() ?? [1, 1];
      if (min >= 1) need = better(need, atom.need);
      const rep = atom.exact && max <= 4 ? repeat(atom.exact, min, max) : undefined;
      if (rep) {
        extend(rep);
        whole = whole && product(whole, rep);
      } else if (atom.exact && min >= 1) {
        // x+ is x, then more, then x: the run ends after its first x, the next begins with its last
        extend(atom.exact);
        close();
        run = atom.exact;
        whole = undefined;
      } else {
        close();
        whole = undefined;
      }
    }
    close();
    return { exact: whole, need };
  }

  /** [min, max] of a quantifier at the cursor (max Infinity), or undefined */
  private quantifier(): [number, number] | undefined {
    const c = this.src[this.i];
    let q: [number, number] | undefined;
    if (c === '*') q = [0, Infinity];
    else if (c === '+') q = [1, Infinity];
    else if (c === '?') q = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return undefined;
      this.i += m[0].length - 1;
      q = [Number(m[1]), m[2] === undefined ? Number(m[1]) : m[3] ? Number(m[3]) : Infinity];
    }
    if (!q) return undefined;
    this.i++;
    if (this.src[this.i] === '?') this.i++;
    return q;
  }

  private atom(): Facts {
    const c = this.src[this.i++]!;
    if (c === '(') {
      let kind = '';
      if (this.src[this.i] === '?') {
        const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_]\w*>)/.exec(this.src.slice(this.i));
        if (!m) throw new Error('unknown group');
        kind = m[0];
        this.i += m[0].length;
      }
      const lookaround = ['?=', '?!', '?<=', '?<!'].includes(kind);
      const inner = this.alternation();
      if (this.src[this.i++] !== ')') throw new Error('unclosed group');
      // a lookaround consumes nothing: what is around it stays adjacent in the match
      return lookaround ? EMPTY : inner;
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    if (c === '^' || c === '$') return EMPTY;
    if (c === '.') return NOTHING;
    if (c === ')' || c === '|' || c === '*' || c === '+' || c === '?') throw new Error(`misplaced ${c}`);
    return literal(c);
  }

  private escape(): Facts {
    const n = this.src[this.i++] ?? '';
    const hex = (len: number): Facts => {
      const h = this.src.slice(this.i, this.i + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) return NOTHING;
      this.i += len;
      return literal(String.fromCharCode(parseInt(h, 16)));
    };
    if (n === 'x') return hex(2);
    if (n === 'u' && this.src[this.i] === '{') {
      this.i = this.src.indexOf('}', this.i) + 1;
      return NOTHING;
    }
    if (n === 'u') return hex(4);
    if (n === 'b' || n === 'B') return EMPTY;
    const control = CONTROL[n];
    if (control !== undefined && !(n === '0' && /\d/.test(this.src[this.i] ?? ''))) return literal(control);
    if (n === 'c' && /[A-Za-z]/.test(this.src[this.i] ?? ''))
      return literal(String.fromCharCode(this.src.charCodeAt(this.i++) % 32));
    if ((n === 'k' && this.src[this.i] === '<') || ((n === 'p' || n === 'P') && this.src[this.i] === '{'))
      this.i = this.src.indexOf(n === 'k' ? '>' : '}', this.i) + 1;
    while (/\d/.test(n) && /\d/.test(this.src[this.i] ?? '')) this.i++;
    // \d \w \s and the like, backreferences, properties: no literal
    return /[A-Za-z0-9]/.test(n) ? NOTHING : literal(n);
  }

  /** A class is exact when it lists a few characters: [Aa], [\xe9e]. */
  private charClass(): Facts {
    const chars = new Set<string>();
    let plain = this.src[this.i] !== '^';
    if (!plain) this.i++;
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      let ch = this.src[this.i++]!;
      if (ch === '\\') {
        // inside a class \b is a backspace, not a word boundary
        const e = this.src[this.i] === 'b' ? (this.i++, literal('\b')) : this.escape();
        const only = e.exact?.length === 1 ? e.exact[0] : undefined;
        if (!only) {
          plain = false;
          continue;
        }
        ch = only;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']') plain = false;
      chars.add(ch.toLowerCase());
    }
    if (this.src[this.i++] !== ']') throw new Error('unclosed class');
    return plain && chars.size > 0 && chars.size <= 4 ? { exact: [...chars] } : NOTHING;
  }
}

const CONTROL: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '0': '\0' };

/**
 * One character, lowercased. Rules match octets (one char per byte); a regex character above
 * U+00FF could only match one of them through case folding that lowercasing does not mirror
 * (/\u039c/i matches "\xb5"), so it yields nothing.
 */
function literal(ch: string): Facts {
  return ch.charCodeAt(0) > 0xff ? NOTHING : { exact: [ch.toLowerCase()] };
}

/**
 * Literals (lowercased, each at least MIN_ATOM long) at least one of which every match of the JS
 * regex source contains, or undefined when no such set was found. Matching them against lowercased
 * text is sound for case-sensitive and case-insensitive regexes alike.
 */
export function requiredLiterals(source: string): string[] | undefined {
  try {
    return new SourceParser(source).parse().need;
  } catch {
    return undefined;
  }
}

/** Aho-Corasick automaton over lowercased atoms. */
export class AtomMatcher {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: number[][] = [[]];

  constructor(atoms: string[]) {
    atoms.forEach((atom, id) => {
      let s = 0;
      for (let i = 0; i < atom.length; i++) {
        const ch = atom.charCodeAt(i);
        let t = this.next[s]!.get(ch);
        if (t === undefined) {
          t = this.next.push(new Map()) - 1;
          this.fail.push(0);
          this.out.push([]);
          this.next[s]!.set(ch, t);
        }
        s = t;
      }
      this.out[s]!.push(id);
    });
    const queue: number[] = [...this.next[0]!.values()];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (const [ch, t] of this.next[s]!) {
        let f = this.fail[s]!;
        while (f && !this.next[f]!.has(ch)) f = this.fail[f]!;
        const ft = this.next[f]!.get(ch);
        this.fail[t] = ft !== undefined && ft !== t ? ft : 0;
        this.out[t]!.push(...this.out[this.fail[t]!]!);
        queue.push(t);
      }
    }
  }

  /** Ids of atoms occurring in the text (matched case-insensitively). */
  scan(text: string): Set<number> {
    const found = new Set<number>();
    const lower = text.toLowerCase();
    let s = 0;
    for (let i = 0; i < lower.length; i++) {
      const ch = lower.charCodeAt(i);
      let t = this.next[s]!.get(ch);
      while (t === undefined && s) {
        s = this.fail[s]!;
        t = this.next[s]!.get(ch);
      }
      s = t ?? 0;
      for (const id of this.out[s]!) found.add(id);
    }
    return found;
  }
}
