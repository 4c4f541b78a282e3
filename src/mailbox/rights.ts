import { MailsteadError } from '../core/errors.js';

/**
 * RFC 4314 rights: l lookup, r read, s keep seen, w write flags, i insert, p post, k create
 * folders, x delete folder, t delete messages, e expunge, a administer. The obsolete c and d
 * (RFC 2086) are accepted and mapped to k/x and t/e, as RFC 4314 section 2.1.1 asks.
 */
export const ALL_RIGHTS = 'lrswipkxtea';

export class BadRightsError extends MailsteadError {
  constructor(message: string) {
    super(message, { operator: true, imap: { status: 'BAD' } });
    this.name = 'BadRightsError';
  }
}

/** Canonical form of a rights string: known letters, each once, in ALL_RIGHTS order. */
export function normalizeRights(text: string): string {
  const set = new Set<string>();
  for (const ch of text) {
    if (ch === 'c') ['k', 'x'].forEach((r) => set.add(r));
    else if (ch === 'd') ['t', 'e'].forEach((r) => set.add(r));
    else if (ALL_RIGHTS.includes(ch)) set.add(ch);
    else throw new BadRightsError(`unknown right "${ch}"`);
  }
  return [...ALL_RIGHTS].filter((r) => set.has(r)).join('');
}

export function unionRights(list: readonly string[]): string {
  return normalizeRights(list.join(''));
}

export function hasRights(have: string, need: string): boolean {
  return [...need].every((r) => have.includes(r));
}

/** SETACL's `+rights`, `-rights` or plain `rights` applied to the current rights. */
export function applyRightsChange(current: string, change: string): string {
  if (change.startsWith('+')) return normalizeRights(current + change.slice(1));
  if (change.startsWith('-')) {
    const drop = normalizeRights(change.slice(1));
    return [...current].filter((r) => !drop.includes(r)).join('');
  }
  return normalizeRights(change);
}

/** LISTRIGHTS: what an identifier always has, and the groups it may be given (RFC 4314 3.7). */
export function listRights(isOwner: boolean): { required: string; optional: string[] } {
  return isOwner ? { required: ALL_RIGHTS, optional: [] } : { required: '', optional: [...ALL_RIGHTS] };
}

/**
 * ACL identifiers: an account address (lower-cased), `anyone`, `authenticated`, or a group as
 * `$name` (also accepted as `group:name`).
 */
export function normalizeIdentifier(id: string): string {
  const t = id.trim();
  if (!t) throw new BadRightsError('empty ACL identifier');
  if (/^group:/i.test(t)) return `$${t.slice(6)}`;
  if (t.startsWith('$')) return t;
  return t.toLowerCase();
}
