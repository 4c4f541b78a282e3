import { MailsteadError } from '../core/errors.js';

export const SEPARATOR = '/';
/** Prefix of other accounts' folders: `Other Users/<address>/<folder>`. */
export const OTHER_USERS = 'Other Users';
/** Prefix of public folders owned by the system: `Shared/<folder>`. */
export const SHARED = 'Shared';
/** Owner id of public shared folders. */
export const SYSTEM_OWNER = 0;

export class BadFolderNameError extends MailsteadError {
  constructor(name: string, why: string) {
    super(`bad folder name "${name}": ${why}`, { operator: true, imap: { status: 'NO', code: 'CANNOT' } });
    this.name = 'BadFolderNameError';
  }
}

export type ParsedFolderName =
  | { namespace: 'personal'; name: string }
  | { namespace: 'other'; ownerAddress: string; name: string }
  | { namespace: 'shared'; name: string };

/** INBOX in any case is INBOX (and so is its hierarchy prefix); other names are kept as given. */
export function canonicalName(name: string): string {
  if (/^inbox$/i.test(name)) return 'INBOX';
  if (/^inbox\//i.test(name)) return 'INBOX' + name.slice(5);
  return name;
}

/** Checks one stored folder path: non-empty segments, no control characters, no wildcards. */
export function checkFolderPath(name: string, full = name): string {
  if (!name) throw new BadFolderNameError(full, 'empty');
  if (name.length > 1000) throw new BadFolderNameError(full, 'too long');
  if (/[\x00-\x1f\x7f*%]/.test(name))
    throw new BadFolderNameError(full, 'control characters and wildcards are not allowed');
  if (name.split(SEPARATOR).some((s) => s === ''))
    throw new BadFolderNameError(full, 'empty hierarchy level');
  return canonicalName(name);
}

/** Splits a name as the actor sees it into its namespace, owner and stored path. */
export function parseFolderName(view: string): ParsedFolderName {
  const trimmed = view.endsWith(SEPARATOR) ? view.slice(0, -1) : view;
  if (trimmed.startsWith(OTHER_USERS + SEPARATOR)) {
    const rest = trimmed.slice(OTHER_USERS.length + 1);
    const slash = rest.indexOf(SEPARATOR);
    const ownerAddress = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
    if (!ownerAddress) throw new BadFolderNameError(view, 'no user after Other Users/');
    return {
      namespace: 'other',
      ownerAddress,
      name: checkFolderPath(slash < 0 ? '' : rest.slice(slash + 1), view),
    };
  }
  if (trimmed.startsWith(SHARED + SEPARATOR)) {
    return { namespace: 'shared', name: checkFolderPath(trimmed.slice(SHARED.length + 1), view) };
  }
  if (trimmed === OTHER_USERS || trimmed === SHARED)
    throw new BadFolderNameError(view, 'a namespace root is not a folder');
  return { namespace: 'personal', name: checkFolderPath(trimmed, view) };
}

/** The name a viewer sees for a stored folder. */
export function viewName(viewerId: number, ownerId: number, ownerAddress: string, name: string): string {
  if (ownerId === viewerId) return name;
  if (ownerId === SYSTEM_OWNER) return `${SHARED}${SEPARATOR}${name}`;
  return `${OTHER_USERS}${SEPARATOR}${ownerAddress}${SEPARATOR}${name}`;
}

export function parentPath(name: string): string | null {
  const i = name.lastIndexOf(SEPARATOR);
  return i < 0 ? null : name.slice(0, i);
}
