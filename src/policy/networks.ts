import { BlockList, isIPv4, isIPv6 } from 'node:net';

const SEEN_MAX = 4096;

/** A set of networks (CIDR or single addresses) that answers whether an IP is inside. */
export class NetworkSet {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [addr, bits] = c.split('/') as [string, string | undefined];
      const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
    this.empty = cidrs.length === 0;
  }

  /**
   * Answers per address, remembered: BlockList.check parses the address into a SocketAddress on
   * every call, and one SMTP transaction asks several times per recipient. Bounded, since
   * addresses come from outside.
   */
  private readonly seen = new Map<string, boolean>();

  has(ip: string): boolean {
    if (this.empty) return false;
    let r = this.seen.get(ip);
    if (r === undefined) {
      const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
      r = isIPv4(v4) ? this.list.check(v4, 'ipv4') : isIPv6(v4) && this.list.check(v4, 'ipv6');
      if (this.seen.size >= SEEN_MAX) this.seen.clear();
      this.seen.set(ip, r);
    }
    return r;
  }
}

/** Caches the NetworkSet of a list setting, rebuilt only when the setting changes. */
export function cachedNetworks(read: () => readonly string[]): () => NetworkSet {
  let key = '';
  let set = new NetworkSet([]);
  return () => {
    const cidrs = read();
    const k = cidrs.join(',');
    if (k !== key) {
      set = new NetworkSet(cidrs);
      key = k;
    }
    return set;
  };
}
