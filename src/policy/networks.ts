import { BlockList, isIPv4, isIPv6 } from 'node:net';

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

  has(ip: string): boolean {
    if (this.empty) return false;
    const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
    if (isIPv4(v4)) return this.list.check(v4, 'ipv4');
    return isIPv6(v4) && this.list.check(v4, 'ipv6');
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
