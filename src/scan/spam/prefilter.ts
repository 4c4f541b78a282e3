// One pass over the body for all rules: each regex yields a literal it cannot match without
// (its "atom"); an Aho-Corasick automaton finds all atoms at once, and only rules whose atom
// occurs (or that have none) run their regex. The same idea as SpamAssassin's Rule2XSBody.

const META = new Set([...'.^$*+?()[]|']);

/** The longest literal (lowercased, >= 3 chars) every match of the JS regex source must contain. */
export function requiredAtom(source: string): string | undefined {
  let best = '';
  let cur = '';
  const flush = (): void => {
    if (cur.length > best.length) best = cur;
    cur = '';
  };
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      i++;
      // \xHH and \uHHHH are literal characters (the stock rules spell UTF-8 bytes this way)
      const hex =
        n === 'x'
          ? /^[0-9a-fA-F]{2}/.exec(source.slice(i + 1))
          : n === 'u'
            ? /^[0-9a-fA-F]{4}/.exec(source.slice(i + 1))
            : null;
      if (hex) {
        i += hex[0].length;
        if (depth === 0) cur += String.fromCharCode(parseInt(hex[0], 16));
        continue;
      }
      if (/[A-Za-z0-9]/.test(n)) {
        // the operand of \c, \x{...}, \xH or a backreference's digits must not read as literals
        const operand = /^(?:c.|x\{[^}]*\}|x[0-9a-fA-F]?|\d+)/.exec(source.slice(i));
        if (operand) i += operand[0].length - 1;
        flush();
        continue;
      }
      if (depth === 0) cur += n;
      continue;
    }
    if (c === '[') {
      // skip the class
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j;
      flush();
      continue;
    }
    if (c === '(') {
      depth++;
      flush();
      continue;
    }
    if (c === ')') {
      depth--;
      flush();
      continue;
    }
    if (c === '|') {
      if (depth === 0) return undefined;
      continue;
    }
    if (depth > 0) continue;
    const quant = c === '{' ? /^\{(\d+)(?:,\d*)?\}/.exec(source.slice(i)) : null;
    if (c === '*' || c === '?' || (quant && Number(quant[1]) === 0)) {
      cur = cur.slice(0, -1);
      flush();
      if (quant) i += quant[0].length - 1;
      continue;
    }
    if (c === '+' || quant) {
      flush();
      if (quant) i += quant[0].length - 1;
      continue;
    }
    if (META.has(c)) {
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  const atom = best.toLowerCase();
  return atom.length >= 3 ? atom : undefined;
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
