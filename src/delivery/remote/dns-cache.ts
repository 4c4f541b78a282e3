import type { MxRecord } from 'node:dns';
import type { Resolver } from 'node:dns/promises';

/** The lookups remote delivery makes: MX routing and the MTA-STS record and policy host. */
export interface DnsLookups {
  resolveMx(name: string): Promise<MxRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolveTxt(name: string): Promise<string[][]>;
}

interface Entry {
  until: number;
  answer: Promise<unknown>;
}

/** Answers that say the name or the record type does not exist (RFC 2308 negative answers). */
const NEGATIVE = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);
/** Past this many entries, expired ones are dropped before a new one is added. */
const SWEEP_AT = 10_000;

/**
 * A small cache in front of the resolver for the lookups every message to a destination repeats
 * (MX, A, AAAA, `_mta-sts` TXT), so a busy destination costs a few queries a minute instead of
 * several per message. Lookups of one name in flight at once share one query. An answer is kept
 * for at most `maxMs()`: A and AAAA for their TTL when it is shorter; MX and TXT for `maxMs()`,
 * since Node's resolver does not report their TTLs. Negative answers (no such name, no such
 * record) are kept as long; temporary failures (SERVFAIL, timeouts) are not kept. 0 turns the
 * cache off.
 */
export class DnsCache implements DnsLookups {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly resolver: () => Resolver,
    private readonly maxMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  resolveMx(name: string): Promise<MxRecord[]> {
    return this.cached('MX', name, async (r) => ({ value: await r.resolveMx(name) }));
  }

  resolve4(name: string): Promise<string[]> {
    return this.cached('A', name, async (r) => withTtl(await r.resolve4(name, { ttl: true })));
  }

  resolve6(name: string): Promise<string[]> {
    return this.cached('AAAA', name, async (r) => withTtl(await r.resolve6(name, { ttl: true })));
  }

  resolveTxt(name: string): Promise<string[][]> {
    return this.cached('TXT', name, async (r) => ({ value: await r.resolveTxt(name) }));
  }

  private cached<T>(
    type: string,
    name: string,
    query: (r: Resolver) => Promise<{ value: T; ttlMs?: number }>,
  ): Promise<T> {
    const max = this.maxMs();
    if (max <= 0) return query(this.resolver()).then((a) => a.value);
    const key = `${type} ${name.toLowerCase()}`;
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.answer as Promise<T>;
    if (this.entries.size >= SWEEP_AT)
      for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
    // Held while the query runs, so concurrent lookups share it; the answer sets how long it stays.
    const entry: Entry = { until: Number.POSITIVE_INFINITY, answer: Promise.resolve() };
    const answer = query(this.resolver()).then(
      (a) => {
        entry.until = this.now() + Math.min(max, a.ttlMs ?? max);
        return a.value;
      },
      (e: NodeJS.ErrnoException) => {
        if (NEGATIVE.has(e.code ?? '')) entry.until = this.now() + max;
        else if (this.entries.get(key) === entry) this.entries.delete(key);
        throw e;
      },
    );
    entry.answer = answer;
    this.entries.set(key, entry);
    return answer;
  }
}

function withTtl(records: { address: string; ttl: number }[]): { value: string[]; ttlMs: number } {
  return {
    value: records.map((r) => r.address),
    ttlMs: Math.min(...records.map((r) => r.ttl * 1000)),
  };
}
