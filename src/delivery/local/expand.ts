import type { Account } from '../../directory/types.js';
import type { DeliveryDirectory } from './ports.js';

/** A final destination of an address: a local mailbox or an address elsewhere. */
export type Target =
  { kind: 'mailbox'; address: string; account: Account } | { kind: 'remote'; address: string };

export interface Expansion {
  targets: Target[];
  /** Addresses that led nowhere (unknown local part, loop, too deep), with why. */
  dropped: { address: string; reason: string }[];
}

/**
 * Expands an address to its final destinations: aliases and lists to their members, accounts
 * that forward to their targets (plus themselves when they keep a copy), recursively. An address
 * seen before on the path is a loop and is dropped; so is anything deeper than `maxDepth`.
 * The directory resolves subaddresses (user+tag) and catch-alls.
 */
export async function expandAddress(
  dir: DeliveryDirectory,
  address: string,
  maxDepth: number,
): Promise<Expansion> {
  const out: Expansion = { targets: [], dropped: [] };
  const seenTargets = new Set<string>();
  const add = (t: Target) => {
    const key = t.kind === 'mailbox' ? `#${t.account.id}` : t.address.toLowerCase();
    if (seenTargets.has(key)) return;
    seenTargets.add(key);
    out.targets.push(t);
  };
  const walk = async (addr: string, path: ReadonlySet<string>, depth: number): Promise<void> => {
    const key = addr.toLowerCase();
    if (path.has(key)) {
      out.dropped.push({ address: addr, reason: 'alias or forwarding loop' });
      return;
    }
    if (depth > maxDepth) {
      out.dropped.push({ address: addr, reason: `expansion deeper than ${maxDepth} levels` });
      return;
    }
    const r = await dir.resolveRecipient(addr);
    const next = new Set(path).add(key);
    switch (r.kind) {
      case 'remote':
        add({ kind: 'remote', address: addr });
        return;
      case 'unknown-local':
        out.dropped.push({ address: addr, reason: 'no such local address' });
        return;
      case 'alias':
        for (const m of r.alias.members) await walk(m, next, depth + 1);
        return;
      case 'account': {
        const acct = r.account;
        if (acct.forwardTo.length) {
          if (acct.forwardKeepCopy) add({ kind: 'mailbox', address: acct.address, account: acct });
          for (const f of acct.forwardTo) await walk(f, next, depth + 1);
        } else {
          add({
            kind: 'mailbox',
            address: addr.toLowerCase() === acct.address ? acct.address : addr,
            account: acct,
          });
        }
        return;
      }
    }
  };
  await walk(address, new Set(), 0);
  return out;
}
