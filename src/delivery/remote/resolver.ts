import { Resolver } from 'node:dns/promises';

/**
 * A DNS resolver using `dns.servers` (IP or IP:PORT, IPv6 in brackets) when set, the system's
 * otherwise. Shared by MX routing, MTA-STS, SPF/DKIM/DMARC and DNSBL lookups.
 */
export function createResolver(servers: readonly string[], timeoutMs = 5000): Resolver {
  const r = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length) r.setServers([...servers]);
  return r;
}

/** The resolver for a server list that may change at run time (`dns.servers` is live): rebuilt only when it does. */
export function cachedResolver(read: () => readonly string[]): () => Resolver {
  let source: string | undefined;
  let resolver: Resolver | undefined;
  return () => {
    const servers = read();
    const key = servers.join(',');
    if (key !== source || !resolver) {
      resolver = createResolver(servers);
      source = key;
    }
    return resolver;
  };
}
