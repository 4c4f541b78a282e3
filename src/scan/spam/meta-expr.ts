// Meta rule expressions: boolean and arithmetic over rule hit counts, parsed without eval.

export type MetaNode =
  | { k: 'num'; v: number }
  | { k: 'rule'; name: string }
  | { k: 'match'; names: string[] }
  | { k: 'not'; a: MetaNode }
  | { k: 'neg'; a: MetaNode }
  | { k: 'bin'; op: string; a: MetaNode; b: MetaNode }
  | { k: 'cond'; c: MetaNode; a: MetaNode; b: MetaNode };

const TOKEN =
  /\s*(rules_matching\s*\(\s*[\w*?]+\s*\)|[A-Za-z_][\w]*|\d+(?:\.\d+)?|&&|\|\||>=|<=|==|!=|[-+*/!()<>?:])/y;

function tokenize(expr: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`unexpected '${expr.slice(pos).trim().slice(0, 20)}' in meta expression`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

// lowest to highest precedence, as in Perl
const LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/']];

/** Parses a meta expression; rule names are resolved at evaluation time. */
export function parseMeta(expr: string): MetaNode {
  const toks = tokenize(expr);
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const take = (): string => {
    const t = toks[i++];
    if (t === undefined) throw new Error('meta expression ends early');
    return t;
  };
  const cond = (): MetaNode => {
    const c = level(0);
    if (peek() !== '?') return c;
    take();
    const a = cond();
    if (take() !== ':') throw new Error("expected ':' in meta expression");
    return { k: 'cond', c, a, b: cond() };
  };
  const level = (n: number): MetaNode => {
    if (n === LEVELS.length) return unary();
    let left = level(n + 1);
    while (LEVELS[n]!.includes(peek() ?? '')) {
      const op = take();
      left = { k: 'bin', op, a: left, b: level(n + 1) };
    }
    return left;
  };
  const unary = (): MetaNode => {
    const t = take();
    if (t === '!') return { k: 'not', a: unary() };
    if (t === '-') return { k: 'neg', a: unary() };
    if (t === '+') return unary();
    if (t === '(') {
      const e = cond();
      if (take() !== ')') throw new Error("expected ')' in meta expression");
      return e;
    }
    if (/^\d/.test(t)) return { k: 'num', v: Number(t) };
    if (t.startsWith('rules_matching')) {
      const glob = t.slice(t.indexOf('(') + 1, t.lastIndexOf(')')).trim();
      return { k: 'match', names: [glob] };
    }
    if (/^[A-Za-z_]/.test(t)) return { k: 'rule', name: t };
    throw new Error(`unexpected '${t}' in meta expression`);
  };
  const tree = cond();
  if (i < toks.length) throw new Error(`unexpected '${toks[i]}' in meta expression`);
  return tree;
}

/** Rule names a meta expression reads (globs of rules_matching are returned as written). */
export function metaDeps(node: MetaNode, out: Set<string> = new Set()): Set<string> {
  switch (node.k) {
    case 'rule':
      out.add(node.name);
      break;
    case 'match':
      for (const n of node.names) out.add(n);
      break;
    case 'not':
    case 'neg':
      metaDeps(node.a, out);
      break;
    case 'bin':
      metaDeps(node.a, out);
      metaDeps(node.b, out);
      break;
    case 'cond':
      metaDeps(node.c, out);
      metaDeps(node.a, out);
      metaDeps(node.b, out);
      break;
  }
  return out;
}

export function globToRegExp(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
}

/** Evaluates with `value(name)` giving a rule's hit count; `matching(glob)` sums rules by glob. */
export function evalMeta(
  node: MetaNode,
  value: (name: string) => number,
  matching: (glob: string) => number,
): number {
  const ev = (n: MetaNode): number => {
    switch (n.k) {
      case 'num':
        return n.v;
      case 'rule':
        return value(n.name);
      case 'match':
        return n.names.reduce((s, g) => s + matching(g), 0);
      case 'not':
        return ev(n.a) ? 0 : 1;
      case 'neg':
        return -ev(n.a);
      case 'cond':
        return ev(n.c) ? ev(n.a) : ev(n.b);
      case 'bin': {
        const a = ev(n.a);
        if (n.op === '&&') return a ? ev(n.b) : a;
        if (n.op === '||') return a ? a : ev(n.b);
        const b = ev(n.b);
        switch (n.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return b === 0 ? 0 : a / b;
          case '<':
            return a < b ? 1 : 0;
          case '>':
            return a > b ? 1 : 0;
          case '<=':
            return a <= b ? 1 : 0;
          case '>=':
            return a >= b ? 1 : 0;
          case '==':
            return a === b ? 1 : 0;
          default:
            return a !== b ? 1 : 0;
        }
      }
    }
  };
  return ev(node);
}
