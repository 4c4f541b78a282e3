import type { Endpoint, MailServices } from './mail-services.js';

/**
 * The DNS SRV records an operator publishes for a domain (RFC 6186, with RFC 8314's preference
 * for implicit TLS), as zone-file lines. A service that is off gets the "not available" record
 * (target ".") so clients stop looking for it.
 */
export function srvRecords(s: MailServices, domain: string, ttl = 3600): string[] {
  const target = `${s.hostname.replace(/\.$/, '')}.`;
  const line = (service: string, priority: number, weight: number, port: number, host: string) =>
    `_${service}._tcp.${domain}. ${ttl} IN SRV ${priority} ${weight} ${port} ${host}`;
  const records = (service: string, eps: Endpoint[], priority: number) =>
    eps.length ? eps.map((e) => line(service, priority, 1, e.port, target)) : [line(service, 0, 0, 0, '.')];
  const by = (eps: Endpoint[], tls: Endpoint['tls']) => eps.filter((e) => e.tls === tls);
  return [
    ...records('imaps', by(s.imap, 'implicit'), 0),
    ...records('imap', by(s.imap, 'starttls'), 10),
    ...records('pop3s', by(s.pop3, 'implicit'), 20),
    ...records('pop3', by(s.pop3, 'starttls'), 30),
    ...records('submissions', by(s.submission, 'implicit'), 0),
    ...records('submission', by(s.submission, 'starttls'), 10),
  ];
}
