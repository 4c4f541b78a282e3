import { parseAddress, splitSubaddress } from '../core/address.js';
import { MailsteadError } from '../core/errors.js';
import { VersionedMemo } from '../core/versioned-memo.js';
import { readChangeVersion } from '../store/change-version.js';
import { findAccount } from '../store/directory/account-repo.js';
import { findAlias } from '../store/directory/alias-repo.js';
import { DIRECTORY_VERSION } from '../store/directory/schema.js';
import type { SqlDb } from '../store/sql.js';
import type { Domains } from './domains.js';
import { canonicalAddress } from './names.js';
import type { Alias, Recipient } from './types.js';

/** How deep aliases may nest before expansion gives up (a loop is cut earlier, on the first repeat). */
export const MAX_ALIAS_DEPTH = 10;

/**
 * Turns recipient addresses into what they deliver to. Answers are remembered while the
 * directory's change version stays the same: a trigger changes it in the same commit as any
 * write to the tables they come from, so a change made by the CLI or another server is seen
 * by the next resolution, as one made here is.
 */
export class Recipients {
  private readonly resolved: VersionedMemo<Recipient>;

  constructor(
    private readonly db: SqlDb,
    private readonly domains: Domains,
  ) {
    this.resolved = new VersionedMemo(() => readChangeVersion(db, DIRECTORY_VERSION));
  }

  /**
   * In order: a domain not ours is remote; a domain alias stands for its target; an exact
   * account or alias; `base+detail` for account or alias `base`; the domain's catch-all; else
   * unknown. A catch-all that is not a local account or alias (a remote address, say) comes
   * back as a one-member alias with id 0 whose address is the original recipient.
   */
  resolve(address: string): Promise<Recipient> {
    return this.resolved.get(address, () => this.read(address));
  }

  private async read(address: string): Promise<Recipient> {
    const a = canonicalAddress(address);
    const domain = await this.domains.canonical(a.domain);
    if (!domain) return { kind: 'remote' };
    const exact = await this.lookup(`${a.local}@${domain.name}`, undefined);
    if (exact) return exact;
    const { base, detail } = splitSubaddress(parseAddress(address.trim())!.local);
    if (detail !== undefined) {
      const tagged = await this.lookup(`${base.toLowerCase()}@${domain.name}`, detail);
      if (tagged) return tagged;
    }
    if (domain.catchAll) return this.catchAll(domain.catchAll, a.address);
    return { kind: 'unknown-local' };
  }

  /**
   * The final addresses an alias delivers to: accounts' canonical addresses (with a member's
   * `+detail` kept) and remote addresses, deduplicated. Nested aliases are expanded; an alias
   * met twice is expanded once (loops end there); members that no longer exist are skipped.
   */
  async expand(address: string): Promise<string[]> {
    const top = await this.resolve(address);
    if (top.kind !== 'alias')
      throw new MailsteadError(`${address} is not an alias`, {
        operator: true,
        smtp: { code: 550, enhanced: '5.1.1' },
      });
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = async (alias: Alias, depth: number): Promise<void> => {
      if (seen.has(alias.address)) return;
      seen.add(alias.address);
      if (depth > MAX_ALIAS_DEPTH) {
        throw new MailsteadError(`alias ${top.alias.address} nests deeper than ${MAX_ALIAS_DEPTH} levels`, {
          smtp: { code: 554, enhanced: '5.4.6' },
        });
      }
      for (const m of alias.members) {
        const r = await this.resolve(m);
        if (r.kind === 'account')
          out.add(
            r.detail === undefined ? r.account.address : r.account.address.replace('@', `+${r.detail}@`),
          );
        else if (r.kind === 'remote') out.add(m);
        else if (r.kind === 'alias') await walk(r.alias, depth + 1);
      }
    };
    await walk(top.alias, 1);
    return [...out];
  }

  private async lookup(address: string, detail: string | undefined): Promise<Recipient | undefined> {
    const account = await findAccount(this.db, address);
    if (account) return { kind: 'account', account, detail };
    const alias = await findAlias(this.db, address);
    return alias && { kind: 'alias', alias };
  }

  private async catchAll(target: string, original: string): Promise<Recipient> {
    const t = canonicalAddress(target);
    const domain = await this.domains.canonical(t.domain);
    const local = domain && (await this.lookup(`${t.local}@${domain.name}`, undefined));
    if (local) return local;
    if (domain) return { kind: 'unknown-local' };
    return {
      kind: 'alias',
      alias: {
        id: 0,
        address: original,
        members: [t.address],
        owners: [],
        restricted: false,
        allowedSenders: [],
        membersMaySend: true,
        createdAt: 0,
      },
    };
  }
}
