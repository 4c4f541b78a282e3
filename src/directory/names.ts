import { addressKey, normalizeDomain, parseAddress, splitSubaddress } from '../core/address.js';
import { MailsteadError, OperatorError } from '../core/errors.js';
import type { Alias } from './types.js';

/** An address as the directory stores it: local part and domain lower-cased. */
export interface CanonicalAddress {
  local: string;
  domain: string;
  address: string;
}

/** Parses any address (alias members, forwarding targets, senders) to its canonical form. */
export function canonicalAddress(text: string): CanonicalAddress {
  const a = parseAddress(text.trim());
  if (!a)
    throw new MailsteadError(`"${text}" is not a valid address`, {
      operator: true,
      smtp: { code: 553, enhanced: '5.1.3' },
    });
  const address = addressKey(a);
  return { local: address.slice(0, address.lastIndexOf('@')), domain: a.domain, address };
}

/**
 * The address of a new account or alias: no quoted local part, and no `+`, which would be read
 * as a sub-address of another name.
 */
export function mailboxAddress(text: string): CanonicalAddress {
  const a = canonicalAddress(text);
  if (
    a.local.startsWith('"') ||
    splitSubaddress(a.local).detail !== undefined ||
    !/^[a-z0-9!#$%&'*/=?^_`{|}~.-]+$/.test(a.local) ||
    /^\.|\.\.|\.$/.test(a.local)
  ) {
    throw new OperatorError(
      `"${text}" is not a valid mailbox address (use letters, digits and . _ - in the local part, no +)`,
    );
  }
  return a;
}

export function domainName(text: string): string {
  const d = normalizeDomain(text);
  if (!d) throw new OperatorError(`"${text}" is not a valid domain name`);
  return d;
}

export function groupName(text: string): string {
  const n = text.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u.test(n))
    throw new OperatorError(`"${text}" is not a valid group name (letters, digits, space . _ -; at most 64)`);
  return n;
}

/**
 * Whether `sender` may send to the alias: anyone unless restricted; then the allowed senders,
 * and the members when `membersMaySend`. Pure, so the SMTP thread decides it without the store.
 */
export function aliasAcceptsSender(alias: Alias, sender: string): boolean {
  if (!alias.restricted) return true;
  let s: string;
  try {
    s = canonicalAddress(sender).address;
  } catch {
    return false;
  }
  return alias.allowedSenders.includes(s) || (alias.membersMaySend && alias.members.includes(s));
}
