/** Address lists of header fields as RFC 5228 §5.1 sees them, and the address parts of RFC 5233. */

export type AddressPart = 'all' | 'localpart' | 'domain' | 'user' | 'detail';

/** Splits at top-level commas, ignoring those in quotes, comments and angle brackets. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let angle = false;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') cur += value[i++] ?? '';
      else if (c === '"') quoted = false;
    } else if (c === '"' && depth === 0) quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === '<' && depth === 0) angle = true;
    else if (c === '>' && depth === 0) angle = false;
    else if ((c === ',' || c === ';') && depth === 0 && !angle) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** The addr-specs of an address-list header value; display names, comments and groups removed. */
export function parseAddressList(value: string): string[] {
  const out: string[] = [];
  for (let item of splitList(value)) {
    const group = /^\s*(?:"[^"]*"|[^"<>:@])*:/.exec(item);
    if (group && !item.slice(0, group[0].length).includes('<')) item = item.slice(group[0].length);
    const angle = /<([^<>]*)>/.exec(item);
    let addr = angle ? angle[1]! : item.replace(/\((?:[^()\\]|\\.)*\)/g, '');
    addr = addr.replace(/^@[^:]*:/, '').trim();
    if (addr) out.push(addr);
  }
  return out;
}

/**
 * The part of `addr` to compare; undefined when the address has no such part (":detail" of an
 * address without separator, RFC 5233 §4). `separator` splits user from detail.
 */
export function addressPart(addr: string, part: AddressPart, separator: string): string | undefined {
  if (part === 'all') return addr;
  const at = addr.lastIndexOf('@');
  const local = at < 0 ? addr : addr.slice(0, at);
  if (part === 'localpart') return local;
  if (part === 'domain') return at < 0 ? '' : addr.slice(at + 1);
  const sep = separator ? local.indexOf(separator) : -1;
  if (part === 'user') return sep < 0 ? local : local.slice(0, sep);
  return sep < 0 ? undefined : local.slice(sep + separator.length);
}
