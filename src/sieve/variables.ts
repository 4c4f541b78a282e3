/** RFC 5229 variables: ${...} expansion and the modifiers of "set". */

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[0-9]+)\}/g;

/** Replaces each well-formed ${name} or ${n} with `lookup`'s answer; malformed references stay. */
export function expandVariables(s: string, lookup: (name: string) => string, maxLength: number): string {
  if (!s.includes('${')) return s;
  const out = s.replace(REF, (_, name: string) => lookup(name.toLowerCase()));
  return out.length > maxLength ? out.slice(0, maxLength) : out;
}

const WILDCARD = /[*?\\]/g;
const REGEX_SPECIAL = /[.^$*+?()[\]{}|\\]/g;

/** Applies the modifiers in RFC 5229 §4.1 precedence order: case, first letter, quoting, length. */
export function applyModifiers(value: string, tags: Record<string, unknown>): string {
  let v = value;
  if (tags.lower) v = v.toLowerCase();
  if (tags.upper) v = v.toUpperCase();
  if (tags.lowerfirst) v = v.charAt(0).toLowerCase() + v.slice(1);
  if (tags.upperfirst) v = v.charAt(0).toUpperCase() + v.slice(1);
  if (tags.quotewildcard) v = v.replace(WILDCARD, (c) => `\\${c}`);
  if (tags.quoteregex) v = v.replace(REGEX_SPECIAL, (c) => `\\${c}`);
  // RFC 5435 §6: percent-encode all but RFC 3986 unreserved characters.
  if (tags.encodeurl)
    v = encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (tags.length) v = String(Array.from(v).length);
  return v;
}
