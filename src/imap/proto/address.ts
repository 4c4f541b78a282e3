/** An address as IMAP's ENVELOPE shows it; group start/end are `(NIL NIL name NIL)` / all NIL. */
export interface Address {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

type Tok = { t: 'word'; v: string } | { t: 'quoted'; v: string } | { t: 'special'; v: string };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    // A ')' without its '(' is skipped like white space: as a word it would never advance.
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ')') {
      i++;
    } else if (c === '(') {
      let depth = 1;
      i++;
      while (i < text.length && depth > 0) {
        if (text[i] === '\\') i++;
        else if (text[i] === '(') depth++;
        else if (text[i] === ')') depth--;
        i++;
      }
    } else if (c === '"') {
      let v = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        v += text[i];
        i++;
      }
      i++;
      out.push({ t: 'quoted', v });
    } else if ('<>@,;:.[]'.includes(c)) {
      if (c === '[') {
        const close = text.indexOf(']', i);
        const end = close < 0 ? text.length : close + 1;
        out.push({ t: 'word', v: text.slice(i, end) });
        i = end;
      } else {
        out.push({ t: 'special', v: c });
        i++;
      }
    } else {
      const start = i;
      while (i < text.length && !' \t\r\n()"<>@,;:.[]'.includes(text[i]!)) i++;
      out.push({ t: 'word', v: text.slice(start, i) });
    }
  }
  return out;
}

function words(toks: Tok[]): string | null {
  if (toks.length === 0) return null;
  let out = '';
  for (const t of toks) {
    if (t.t === 'special' && t.v === '.') out += '.';
    else out += (out ? ' ' : '') + t.v;
  }
  return out;
}

/** `local@domain` from tokens (dots rejoin the local part and the domain). */
function addrSpec(toks: Tok[], name: string | null, adl: string | null): Address | null {
  const at = toks.findIndex((t) => t.t === 'special' && t.v === '@');
  const join = (ts: Tok[]) =>
    ts.map((t) => (t.t === 'quoted' ? `"${t.v.replace(/["\\]/g, '\\$&')}"` : t.v)).join('');
  if (at < 0) {
    const mailbox = join(toks);
    return mailbox ? { name, adl, mailbox, host: '' } : null;
  }
  const local = toks.slice(0, at);
  const mailbox = local.length === 1 && local[0]!.t === 'quoted' ? local[0]!.v : join(local);
  return { name, adl, mailbox, host: join(toks.slice(at + 1)) };
}

function mailboxOf(toks: Tok[]): Address | null {
  const lt = toks.findIndex((t) => t.t === 'special' && t.v === '<');
  if (lt < 0) return addrSpec(toks, null, null);
  let gt = toks.findIndex((t, i) => i > lt && t.t === 'special' && t.v === '>');
  if (gt < 0) gt = toks.length;
  let inner = toks.slice(lt + 1, gt);
  let adl: string | null = null;
  const colon = inner.findIndex((t) => t.t === 'special' && t.v === ':');
  if (inner[0]?.t === 'special' && inner[0].v === '@' && colon > 0) {
    adl = inner
      .slice(0, colon)
      .map((t) => t.v)
      .join('');
    inner = inner.slice(colon + 1);
  }
  const name = words(toks.slice(0, lt));
  return addrSpec(inner, name, adl) ?? (name ? { name, adl, mailbox: null, host: null } : null);
}

/** Splits at top-level commas, keeping a group (`name: a, b;`) together. */
export function parseAddressList(text: string): Address[] {
  const toks = tokenize(text);
  const out: Address[] = [];
  let i = 0;
  while (i < toks.length) {
    let j = i;
    let angle = false;
    let group = -1;
    while (j < toks.length) {
      const t = toks[j]!;
      if (t.t === 'special') {
        if (t.v === '<') angle = true;
        else if (t.v === '>') angle = false;
        else if (t.v === ':' && !angle && group < 0) group = j;
        else if (t.v === ',' && !angle && group < 0) break;
        else if (t.v === ';' && group >= 0) break;
      }
      j++;
    }
    const piece = toks.slice(i, j);
    if (group >= 0) {
      out.push({ name: null, adl: null, mailbox: words(toks.slice(i, group)) ?? '', host: null });
      for (const member of splitCommas(toks.slice(group + 1, j))) {
        const a = mailboxOf(member);
        if (a) out.push(a);
      }
      out.push({ name: null, adl: null, mailbox: null, host: null });
      j++;
      if (toks[j]?.t === 'special' && toks[j]!.v === ',') j++;
    } else {
      const a = mailboxOf(piece);
      if (a) out.push(a);
      j++;
    }
    i = j;
  }
  return out;
}

function splitCommas(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  let angle = false;
  for (const t of toks) {
    if (t.t === 'special' && t.v === '<') angle = true;
    if (t.t === 'special' && t.v === '>') angle = false;
    if (t.t === 'special' && t.v === ',' && !angle) {
      out.push(cur);
      cur = [];
    } else {
      cur.push(t);
    }
  }
  out.push(cur);
  return out;
}
