import { normalizeDomain } from '../core/address.js';
import { ConflictError, LimitError, NotFoundError, OperatorError } from '../core/errors.js';
import { formatSize } from '../core/size.js';
import * as repo from '../store/directory/domain-repo.js';
import type { SqlDb } from '../store/sql.js';
import { authorize, can } from './authorization.js';
import { canonicalAddress, domainName } from './names.js';
import type { Actor, Domain, DomainInput, DomainUpdate, DomainUsage } from './types.js';
import { SYSTEM } from './types.js';

const PLURALS: Record<string, string> = { alias: 'aliases', 'domain alias': 'domain aliases' };
const plural = (n: number, word: string) => `${n} ${n === 1 ? word : (PLURALS[word] ?? `${word}s`)}`;

/** Domains and domain aliases, and the hosting limits on them. */
export class Domains {
  constructor(private readonly db: SqlDb) {}

  /** The domain record for `name` as given (a domain alias is returned as itself). */
  async find(name: string): Promise<Domain | undefined> {
    const d = normalizeDomain(name);
    return d === undefined ? undefined : repo.findDomain(this.db, d);
  }

  async require(name: string, db: SqlDb = this.db): Promise<Domain> {
    const d = await repo.findDomain(db, domainName(name));
    if (!d) throw new NotFoundError(`domain ${domainName(name)}`);
    return d;
  }

  /**
   * `local@domain` with the domain resolved through domain aliases to the real one; undefined when
   * the text is not an address or its domain is not ours. Accounts and aliases are looked up by it.
   */
  async canonicalMailbox(address: string): Promise<string | undefined> {
    let a;
    try {
      a = canonicalAddress(address);
    } catch {
      return undefined;
    }
    const d = await this.canonical(a.domain);
    return d ? `${a.local}@${d.name}` : undefined;
  }

  /** The domain that holds the accounts for `name`: itself, or the target of a domain alias. */
  async canonical(name: string): Promise<Domain | undefined> {
    const d = await this.find(name);
    return d?.aliasOf ? repo.findDomain(this.db, d.aliasOf) : d;
  }

  /** A domain accounts and aliases can be added to: local and not a domain alias. */
  async requireReal(name: string, db: SqlDb = this.db): Promise<Domain> {
    const d = await this.require(name, db);
    if (d.aliasOf) throw new OperatorError(`${d.name} is an alias of ${d.aliasOf}; use ${d.aliasOf} instead`);
    return d;
  }

  async isLocal(name: string): Promise<boolean> {
    return (await this.find(name)) !== undefined;
  }

  async get(name: string, actor: Actor = SYSTEM): Promise<Domain> {
    const d = await this.require(name);
    authorize(can.viewDomain(actor, d.aliasOf ?? d.name), actor, `see domain ${d.name}`);
    return d;
  }

  async list(actor: Actor = SYSTEM): Promise<Domain[]> {
    return (await repo.listDomains(this.db)).filter((d) => can.viewDomain(actor, d.aliasOf ?? d.name));
  }

  async aliasesOf(name: string): Promise<string[]> {
    return repo.domainAliasNames(this.db, (await this.require(name)).id);
  }

  async add(input: DomainInput, actor: Actor = SYSTEM): Promise<Domain> {
    authorize(can.manageDomains(actor), actor, 'add domains');
    const name = domainName(input.name);
    const catchAll = input.catchAll ? canonicalAddress(input.catchAll).address : null;
    return this.db.tx(async (db) => {
      if (await repo.findDomain(db, name)) throw new ConflictError(`domain ${name} already exists`);
      let aliasOfId: number | null = null;
      if (input.aliasOf) {
        const target = await this.require(input.aliasOf, db);
        if (target.aliasOf)
          throw new OperatorError(
            `${target.name} is itself an alias of ${target.aliasOf}; point ${name} at ${target.aliasOf}`,
          );
        if (input.maxAccounts != null || input.maxAliases != null || input.maxStorage != null || catchAll) {
          throw new OperatorError(
            `a domain alias has no limits or catch-all of its own; set them on ${target.name}`,
          );
        }
        aliasOfId = target.id;
      }
      const limits = {
        maxAccounts: input.maxAccounts ?? null,
        maxAliases: input.maxAliases ?? null,
        maxStorage: input.maxStorage ?? null,
      };
      await repo.insertDomain(db, { name, aliasOfId, ...limits, catchAll });
      return (await repo.findDomain(db, name))!;
    });
  }

  async update(name: string, u: DomainUpdate, actor: Actor = SYSTEM): Promise<Domain> {
    authorize(can.manageDomains(actor), actor, 'change domains');
    const d = await this.require(name);
    if (d.aliasOf)
      throw new OperatorError(
        `${d.name} is an alias of ${d.aliasOf}; set limits and catch-all on ${d.aliasOf}`,
      );
    await repo.updateDomain(this.db, d.id, {
      ...u,
      ...(u.catchAll ? { catchAll: canonicalAddress(u.catchAll).address } : {}),
    });
    return (await repo.findDomain(this.db, d.name))!;
  }

  async remove(name: string, actor: Actor = SYSTEM): Promise<void> {
    authorize(can.manageDomains(actor), actor, 'remove domains');
    await this.db.tx(async (db) => {
      const d = await this.require(name, db);
      const c = await repo.domainCounts(db, d.id);
      const aliases = await repo.domainAliasNames(db, d.id);
      const left = [
        c.accounts && plural(c.accounts, 'account'),
        c.aliases && plural(c.aliases, 'alias'),
        c.groups && plural(c.groups, 'group'),
        aliases.length && plural(aliases.length, 'domain alias'),
      ].filter(Boolean);
      if (left.length)
        throw new ConflictError(`domain ${d.name} still has ${left.join(', ')}; remove them first`);
      await repo.deleteDomain(db, d.id);
    });
  }

  async usage(name: string, actor: Actor = SYSTEM, db: SqlDb = this.db): Promise<DomainUsage> {
    const d = await this.get(name, actor);
    const real = d.aliasOf ? await this.require(d.aliasOf, db) : d;
    return usageOf(real, await repo.domainCounts(db, real.id));
  }

  /** `list` with each domain's `usage` (a domain alias has its target's), in a few queries for all. */
  async listWithUsage(actor: Actor = SYSTEM): Promise<{ domain: Domain; usage: DomainUsage }[]> {
    const all = await repo.listDomains(this.db);
    const byName = new Map(all.map((d) => [d.name, d]));
    const counts = await repo.allDomainCounts(this.db);
    return all
      .filter((d) => can.viewDomain(actor, d.aliasOf ?? d.name))
      .map((domain) => {
        const real = (domain.aliasOf && byName.get(domain.aliasOf)) || domain;
        return { domain, usage: usageOf(real, counts.get(real.id)) };
      });
  }

  /**
   * Inside the transaction that adds an account or alias (or raises a quota): refuses when the
   * domain's limit would be exceeded. `quotaDelta` is the quota being added to the allocation.
   */
  async checkRoom(db: SqlDb, d: Domain, what: 'accounts' | 'aliases' | null, quotaDelta = 0): Promise<void> {
    await repo.lockDomain(db, d.id);
    const c = await repo.domainCounts(db, d.id);
    const max = what === 'accounts' ? d.maxAccounts : what === 'aliases' ? d.maxAliases : null;
    if (what && max !== null && c[what] >= max)
      throw new LimitError(
        `domain ${d.name} has reached its limit of ${plural(max, what === 'accounts' ? 'account' : 'alias')}`,
      );
    if (d.maxStorage !== null && quotaDelta > 0 && c.allocatedBytes + quotaDelta > d.maxStorage) {
      throw new LimitError(
        `a quota of ${formatSize(quotaDelta)} would exceed the storage limit of domain ${d.name} (${formatSize(c.allocatedBytes)} of ${formatSize(d.maxStorage)} allocated)`,
      );
    }
  }
}

function usageOf(
  d: Domain,
  c: repo.DomainCounts = { accounts: 0, aliases: 0, usedBytes: 0, allocatedBytes: 0, groups: 0 },
): DomainUsage {
  return {
    accounts: { used: c.accounts, max: d.maxAccounts },
    aliases: { used: c.aliases, max: d.maxAliases },
    storage: { used: c.usedBytes, max: d.maxStorage, allocated: c.allocatedBytes },
  };
}
