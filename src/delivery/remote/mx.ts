import { isIP } from 'node:net';
import { MailsteadError } from '../../core/errors.js';
import type { DnsLookups } from './dns-cache.js';

export interface MxHost {
  host: string;
  preference: number;
  /** IPv4 and IPv6 addresses, IPv4 first (more often reachable). */
  addresses: string[];
}

const PERMANENT_DNS = new Set(['ENOTFOUND', 'NXDOMAIN']);
const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

function dnsError(domain: string, e: unknown): MailsteadError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (PERMANENT_DNS.has(code)) {
    return new MailsteadError(`Host or domain name not found: ${domain}`, {
      smtp: { code: 550, enhanced: '5.1.2' },
      cause: e,
    });
  }
  return new MailsteadError(`DNS lookup for ${domain} failed temporarily (${code || (e as Error).message})`, {
    smtp: { code: 451, enhanced: '4.4.3' },
    cause: e,
  });
}

/** A host's IPv4 then IPv6 addresses (an IP literal stands for itself); empty when it has none. */
export async function addressesOf(
  resolver: Pick<DnsLookups, 'resolve4' | 'resolve6'>,
  host: string,
): Promise<string[]> {
  if (isIP(host)) return [host];
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const out = [
    ...(v4.status === 'fulfilled' ? v4.value : []),
    ...(v6.status === 'fulfilled' ? v6.value : []),
  ];
  if (!out.length) {
    const failures = [v4, v6].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const temporary = failures.find((f) => !NO_DATA.has((f.reason as NodeJS.ErrnoException).code ?? ''));
    if (temporary) throw dnsError(host, temporary.reason);
  }
  return out;
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * The hosts to try for a domain, best first (RFC 5321 §5.1): MX records by preference (random
 * order among equals), or the domain itself as an implicit MX when it has none. A null MX
 * (RFC 7505) is a permanent failure: the domain accepts no mail.
 */
export async function resolveMx(
  resolver: Pick<DnsLookups, 'resolveMx' | 'resolve4' | 'resolve6'>,
  domain: string,
): Promise<MxHost[]> {
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code !== 'ENODATA') throw dnsError(domain, e);
    records = [];
  }
  if (records.some((r) => r.exchange === '' || r.exchange === '.')) {
    throw new MailsteadError(`Domain ${domain} does not accept mail (null MX)`, {
      smtp: { code: 556, enhanced: '5.1.10' },
    });
  }
  if (!records.length) {
    const addresses = await addressesOf(resolver, domain);
    if (!addresses.length)
      throw new MailsteadError(`Host or domain name not found: ${domain} has no MX or address records`, {
        smtp: { code: 550, enhanced: '5.1.2' },
      });
    return [{ host: domain, preference: 0, addresses }];
  }
  const byPref = new Map<number, { exchange: string; priority: number }[]>();
  for (const r of records) byPref.set(r.priority, [...(byPref.get(r.priority) ?? []), r]);
  const ordered = [...byPref.keys()].sort((a, b) => a - b).flatMap((p) => shuffle(byPref.get(p)!));
  const hosts: MxHost[] = [];
  let lastError: unknown;
  for (const r of ordered) {
    try {
      hosts.push({
        host: r.exchange.toLowerCase(),
        preference: r.priority,
        addresses: await addressesOf(resolver, r.exchange),
      });
    } catch (e) {
      lastError = e;
    }
  }
  if (!hosts.some((h) => h.addresses.length)) {
    if (lastError) throw lastError;
    throw new MailsteadError(`No address for any MX host of ${domain}`, {
      smtp: { code: 451, enhanced: '4.4.4' },
    });
  }
  return hosts.filter((h) => h.addresses.length);
}
