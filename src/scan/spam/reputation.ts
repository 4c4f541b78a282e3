// Sender reputation in the manner of SpamAssassin's AWL: a sender (address + client IP /16)
// with a history has its score pulled toward its historical mean by `factor`.

export interface ReputationEntry {
  count: number;
  total: number;
}

export interface ReputationStore {
  get(key: string): Promise<ReputationEntry | undefined>;
  add(key: string, score: number): Promise<void>;
}

export class MemoryReputationStore implements ReputationStore {
  private readonly map = new Map<string, ReputationEntry>();

  async get(key: string): Promise<ReputationEntry | undefined> {
    const e = this.map.get(key);
    return e && { ...e };
  }

  async add(key: string, score: number): Promise<void> {
    const e = this.map.get(key) ?? { count: 0, total: 0 };
    e.count++;
    e.total += score;
    this.map.set(key, e);
  }
}

/** The AWL key: lowercased address and the IP's /16 (IPv4) or /48 (IPv6), 'none' without an IP. */
export function reputationKey(address: string, ip: string | undefined): string {
  let net = 'none';
  if (ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip)) net = ip.split('.').slice(0, 2).join('.');
  else if (ip && ip.includes(':')) net = ip.toLowerCase().split(':').slice(0, 3).join(':');
  return `${address.toLowerCase()}|${net}`;
}

export class Reputation {
  constructor(
    readonly store: ReputationStore,
    readonly factor = 0.5,
  ) {}

  /** The score adjustment for this sender, then records the message's (unadjusted) score. */
  async adjust(address: string, ip: string | undefined, score: number): Promise<number> {
    const key = reputationKey(address, ip);
    const e = await this.store.get(key);
    await this.store.add(key, score);
    if (!e || e.count === 0) return 0;
    const mean = e.total / e.count;
    return Math.round((mean - score) * this.factor * 1000) / 1000;
  }
}
