import type { Resolver } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { OperatorError } from '../core/errors.js';

export interface DnsblZone {
  zone: string;
  action: { kind: 'reject' } | { kind: 'score'; score: number };
}

export interface DnsblHit {
  zone: string;
  /** The A record(s) returned, e.g. 127.0.0.2. */
  codes: string[];
  /** The zone's TXT explanation, when it has one. */
  reason: string | undefined;
  action: DnsblZone['action'];
}

/** Parses `ZONE`, `ZONE=reject` or `ZONE=score:N`. */
export function parseDnsblZone(entry: string): DnsblZone {
  const [zone, action = 'reject'] = entry.split('=').map((s) => s.trim());
  if (!zone || !/^[a-z0-9.-]+$/i.test(zone))
    throw new OperatorError(`dnsbl.zones: "${entry}" does not name a DNS zone`);
  if (action === 'reject') return { zone: zone.toLowerCase(), action: { kind: 'reject' } };
  const m = /^score:(-?\d+(?:\.\d+)?)$/.exec(action);
  if (!m) throw new OperatorError(`dnsbl.zones: "${entry}": the action must be reject or score:N`);
  return { zone: zone.toLowerCase(), action: { kind: 'score', score: Number(m[1]) } };
}

/** The DNSBL query name of an address (RFC 5782 §2.1 and §2.4): reversed octets or nibbles. */
export function dnsblName(ip: string, zone: string): string | undefined {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.${zone}`;
  if (!isIPv6(ip)) return undefined;
  // A dotted-quad tail (::ffff:192.0.2.1, 64:ff9b::192.0.2.1) is two groups in hex.
  const hexIp = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    [Number(a) * 256 + Number(b), Number(c) * 256 + Number(d)].map((n) => n.toString(16)).join(':'),
  );
  const [head = '', tail = ''] = hexIp.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = hexIp.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const hex = groups
    .map((g) => g.padStart(4, '0'))
    .join('')
    .toLowerCase();
  // An IPv4-mapped address is the IPv4 client: listed (and named) by its IPv4 address.
  if (hex.startsWith('00000000000000000000ffff')) {
    const n = parseInt(hex.slice(24), 16);
    return dnsblName([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), zone);
  }
  return `${[...hex].reverse().join('.')}.${zone}`;
}

/**
 * Looks a client up in every zone at once. Only answers in 127.0.0.0/8 count as listings
 * (RFC 5782 §2.1); lookup failures count as "not listed" so a dead list never blocks mail.
 */
export async function checkDnsbl(
  resolver: Resolver,
  ip: string,
  zones: readonly DnsblZone[],
): Promise<DnsblHit[]> {
  const hits = await Promise.all(
    zones.map(async (z): Promise<DnsblHit | undefined> => {
      const name = dnsblName(ip, z.zone);
      if (!name) return undefined;
      const codes = (await resolver.resolve4(name).catch(() => [] as string[])).filter((a) =>
        a.startsWith('127.'),
      );
      if (!codes.length) return undefined;
      const txt = await resolver.resolveTxt(name).catch(() => [] as string[][]);
      return { zone: z.zone, codes, reason: txt[0]?.join('') || undefined, action: z.action };
    }),
  );
  return hits.filter((h): h is DnsblHit => h !== undefined);
}
