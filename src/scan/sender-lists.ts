// Users' allow and block lists: address globs as SpamAssassin's whitelist_from writes them.
import type { SpamPrefs } from '../store/spam/prefs-repo.js';
import { globToRegExp } from './spam/meta-expr.js';

/** Patterns are stored lower-cased; senders are compared lower-cased. */
function listed(list: string[], senders: string[]): boolean {
  const lower = senders.filter(Boolean).map((s) => s.toLowerCase());
  return list.some((p) => {
    const re = globToRegExp(p);
    return lower.some((s) => re.test(s));
  });
}

export type ListVerdict = 'allow' | 'block' | undefined;

/** An allow entry wins over a block entry, as in SpamAssassin (-100 beats +100). */
export function senderListVerdict(prefs: Pick<SpamPrefs, 'allow' | 'block'>, senders: string[]): ListVerdict {
  if (listed(prefs.allow, senders)) return 'allow';
  if (listed(prefs.block, senders)) return 'block';
  return undefined;
}

/** Whether a message with this score is junk for a user with these preferences. */
export function isJunkFor(
  prefs: SpamPrefs,
  globalRequired: number,
  score: number,
  senders: string[],
): boolean {
  const list = senderListVerdict(prefs, senders);
  if (list) return list === 'block';
  return score >= (prefs.requiredScore ?? globalRequired);
}
