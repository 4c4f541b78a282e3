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
