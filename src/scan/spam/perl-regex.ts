// Perl regex (as written in SpamAssassin .cf files) -> JavaScript RegExp.
// JS (Node 20, non-unicode mode) lacks \z \Z \A, inline modifiers, possessive quantifiers, atomic
// groups and POSIX classes; each is rewritten to an equivalent, or approximated and reported.

export interface ConvertedRegex {
  re: RegExp | null;
  /** Lossy rewrites worth a lint warning; the regex still runs. */
  warnings: string[];
  /** Why the regex could not be converted (then `re` is null). */
  error?: string;
}

const POSIX: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  ascii: '\\x00-\\x7f',
};

/** Splits `/re/flags`, `m{re}flags`, `m!re!flags` into source and flags. */
export function splitPerlRegex(text: string): { source: string; flags: string } | null {
  const t = text.trim();
  let open: string;
  let start: number;
  if (t.startsWith('m') && t.length > 1 && !/[\w\s]/.test(t[1]!)) {
    open = t[1]!;
    start = 2;
  } else if (t.startsWith('/')) {
    open = '/';
    start = 1;
  } else return null;
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']', '<': '>' };
  const close = pairs[open] ?? open;
  let depth = 0;
  for (let i = start; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (close !== open && c === open) depth++;
    else if (c === close) {
      if (depth === 0) {
        const flags = t.slice(i + 1);
        if (!/^[imsxgoadlun]*$/.test(flags)) return null;
        let source = t.slice(start, i);
        // an escaped delimiter is just the character in the regex
        if (!'\\^$.|?*+()[]{}'.includes(open)) source = source.split('\\' + open).join(open);
        return { source, flags };
      }
      depth--;
    }
  }
  return null;
}

function caseBoth(ch: string): string {
  const lo = ch.toLowerCase();
  const up = ch.toUpperCase();
  return lo === up || lo.length !== 1 || up.length !== 1 ? ch : lo + up;
}

/** Converts a Perl regex body with Perl flags to a JS RegExp. */
export function convertPerlRegex(source: string, perlFlags = ''): ConvertedRegex {
  const warnings: string[] = [];
  let flags = perlFlags;
  let src = source;
  // leading inline modifiers apply to the whole pattern
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    flags += lead[1];
    src = src.slice(lead[0].length);
  }
  const extended = flags.includes('x');
  const multi = flags.includes('m');
  let out = '';
  let inClass = false;
  // depth at which a (?i: ... ) group began, so letters inside it get both cases
  const groupStack: boolean[] = [];
  let icaseDepth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    const icase = icaseDepth > 0;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return { re: null, warnings, error: 'trailing backslash' };
      i++;
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 1);
        const lit = src.slice(i + 1, end < 0 ? src.length : end);
        out += lit.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (n === 'E') continue;
      if (n === 'x' && src[i + 1] === '{') {
        const end = src.indexOf('}', i);
        const code = parseInt(src.slice(i + 2, end), 16);
        if (!Number.isFinite(code) || code > 0xffff)
          return { re: null, warnings, error: 'unsupported \\x{...} code point' };
        out += '\\u' + code.toString(16).padStart(4, '0');
        i = end;
        continue;
      }
      if (inClass) {
        if (n === 'h') out += ' \\t';
        else if (n === 'e') out += '\\x1b';
        else if (n === 'z' || n === 'Z' || n === 'A')
          return { re: null, warnings, error: `\\${n} inside a class` };
        else out += '\\' + n;
        continue;
      }
      switch (n) {
        case 'z':
          out += '(?![\\s\\S])';
          break;
        case 'Z':
          out += '(?=\\n?(?![\\s\\S]))';
          break;
        case 'A':
          out += '(?<![\\s\\S])';
          break;
        case 'h':
          out += '[ \\t]';
          break;
        case 'H':
          out += '[^ \\t]';
          break;
        case 'v':
          out += '[\\n\\x0b\\f\\r\\x85\\u2028\\u2029]';
          break;
        case 'R':
          out += '(?:\\r\\n|[\\n\\x0b\\f\\r\\x85\\u2028\\u2029])';
          break;
        case 'e':
          out += '\\x1b';
          break;
        case 'G':
        case 'K':
        case 'X':
        case 'C':
        case 'N':
        case 'p':
        case 'P':
          return { re: null, warnings, error: `unsupported escape \\${n}` };
        default:
          out += '\\' + n;
      }
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end > 0 ? src.slice(i + 2, end) : '';
        const neg = name.startsWith('^');
        const cls = POSIX[neg ? name.slice(1) : name];
        if (cls === undefined) return { re: null, warnings, error: `unknown POSIX class [:${name}:]` };
        if (neg) return { re: null, warnings, error: 'negated POSIX class' };
        out += cls;
        i = end + 1;
        continue;
      }
      if (c === ']') inClass = false;
      if (c === '[') out += '\\[';
      else out += icase ? caseBoth(c) : c;
      continue;
    }
    if (extended && /\s/.test(c)) continue;
    if (extended && c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        out += c;
        // a ']' right after '[' or '[^' is a literal in Perl
        if (src[i + 1] === '^') {
          out += '^';
          i++;
        }
        if (src[i + 1] === ']') {
          out += '\\]';
          i++;
        }
        continue;
      case '(': {
        const rest = src.slice(i + 1, i + 5);
        if (rest.startsWith('?#')) {
          const end = src.indexOf(')', i);
          i = end < 0 ? src.length : end;
          continue;
        }
        if (rest.startsWith('?>')) {
          warnings.push('atomic group (?>...) treated as a plain group');
          groupStack.push(false);
          out += '(?:';
          i += 2;
          continue;
        }
        if (rest.startsWith('?P<')) {
          groupStack.push(false);
          out += '(?<';
          i += 3;
          continue;
        }
        const mod = /^\?([imsx]*)(?:-([imsx]*))?([:)])/.exec(src.slice(i + 1));
        if (mod && (mod[1] || mod[2] !== undefined)) {
          const on = mod[1] ?? '';
          const off = mod[2] ?? '';
          if (/[msx]/.test(on + off))
            warnings.push(`inline modifier (?${on}${off ? '-' + off : ''}) approximated`);
          if (mod[3] === ')') {
            // (?i) mid-pattern: applies to the rest of the enclosing group; approximate as rest of pattern
            if (on.includes('i')) icaseDepth++;
            i += mod[0].length;
            continue;
          }
          const ic = on.includes('i') && !flags.includes('i');
          groupStack.push(ic);
          if (ic) icaseDepth++;
          out += '(?:';
          i += mod[0].length;
          continue;
        }
        if (/^\?(\d|R|&|\+|\(|\|)/.test(rest))
          return { re: null, warnings, error: 'recursion, conditionals or branch reset are not supported' };
        groupStack.push(false);
        out += c;
        continue;
      }
      case ')':
        if (groupStack.pop()) icaseDepth--;
        out += c;
        continue;
      case '$': {
        // Perl's $ also matches before a final newline
        out += multi ? '$' : '(?=\\n?(?![\\s\\S]))';
        continue;
      }
      case '*':
      case '+':
      case '?':
      case '}': {
        out += c;
        if (src[i + 1] === '+') {
          warnings.push('possessive quantifier treated as greedy');
          i++;
        }
        continue;
      }
      default:
        out += icase ? (caseBoth(c).length === 2 ? `[${caseBoth(c)}]` : c) : c;
    }
  }
  if (inClass) return { re: null, warnings, error: 'unterminated character class' };
  let jsFlags = '';
  if (flags.includes('i')) jsFlags += 'i';
  if (multi) jsFlags += 'm';
  if (flags.includes('s')) jsFlags += 's';
  try {
    return { re: new RegExp(out, jsFlags), warnings };
  } catch (e) {
    return { re: null, warnings, error: (e as Error).message };
  }
}

/** Parses `/re/flags` (or m-delimited) text straight to a JS RegExp. */
export function perlRegex(text: string): ConvertedRegex {
  const parts = splitPerlRegex(text);
  if (!parts) return { re: null, warnings: [], error: `not a regex: ${text.slice(0, 60)}` };
  return convertPerlRegex(parts.source, parts.flags);
}
