import { domainToASCII } from 'node:url';

/** A parsed mail address. `local` keeps its case (RFC 5321 §2.4); `domain` is lower-cased A-label. */
export interface Address {
  local: string;
  domain: string;
}

const LOCAL_RE = /^[^\s@<>()[\]\\,;:"]+$|^"(?:[^"\\\r\n]|\\.)+"$/u;

/** Parses `local@domain`; returns undefined when it is not an address. */
export function parseAddress(text: string): Address | undefined {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1 || text.length > 320) return undefined;
  const local = text.slice(0, at);
  const rawDomain = text.slice(at + 1);
  if (!LOCAL_RE.test(local) || local.length > 64) return undefined;
  const domain = normalizeDomain(rawDomain);
  if (!domain) return undefined;
  return { local, domain };
}

/** Lower-cased, IDNA A-label form of a domain name, or undefined when invalid. */
export function normalizeDomain(name: string): string | undefined {
  const trimmed = name.trim().replace(/\.$/, '');
  if (!trimmed || trimmed.length > 253) return undefined;
  // Only letters, digits, hyphens, underscores, dots and non-ASCII (IDN) characters: anything
  // else ('/', ':', '%') makes the URL parser read the text as something other than a name.
  if (/[\x00-\x2c/:-@[-^`{-\x7f]/.test(trimmed)) return undefined;
  const ascii = domainToASCII(trimmed.toLowerCase());
  // An all-numeric (or 0x…) top label makes the URL parser read the name as an IPv4 address.
  if (!ascii || /(?:^|\.)(?:\d+|0x[0-9a-f]*)$/i.test(ascii)) return undefined;
  const labels = ascii.split('.');
  if (labels.some((l) => !l || l.length > 63 || !/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(l)))
    return undefined;
  return ascii;
}

/** The canonical key of an address for lookups: local part lower-cased too (we treat it case-insensitively). */
export function addressKey(a: Address): string {
  return `${a.local.toLowerCase()}@${a.domain}`;
}

export function formatAddress(a: Address): string {
  return `${a.local}@${a.domain}`;
}

/** Splits `user+tag` at the first delimiter; returns the base local part and the detail. */
export function splitSubaddress(
  local: string,
  delimiter = '+',
): { base: string; detail: string | undefined } {
  const i = delimiter ? local.indexOf(delimiter) : -1;
  if (i <= 0) return { base: local, detail: undefined };
  return { base: local.slice(0, i), detail: local.slice(i + delimiter.length) };
}
