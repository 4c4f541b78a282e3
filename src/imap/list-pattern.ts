import { SEPARATOR } from '../mailbox/folder-names.js';

/**
 * LIST's reference and pattern as one test on folder names: `*` matches anything, `%` anything
 * but the hierarchy separator; INBOX matches in any case (RFC 9051 6.3.9).
 */
export function listMatcher(reference: string, pattern: string): (name: string) => boolean {
  let full = reference + pattern;
  if (/^inbox(?=$|\/)/i.test(full)) full = 'INBOX' + full.slice(5);
  const sep = SEPARATOR.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let re = '';
  for (const ch of full) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += `[^${sep}]*`;
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`, 's');
  return (name) => rx.test(name);
}
