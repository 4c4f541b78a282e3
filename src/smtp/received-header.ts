import { rfc5322Date } from '../queue/rfc5322-date.js';

export interface ReceivedInfo {
  helo: string | null;
  clientName: string | null;
  clientIp: string;
  hostname: string;
  /** ESMTP, ESMTPS, ESMTPSA… (RFC 3848). */
  protocol: string;
  queueId: string;
  tls: { version: string; cipher: string } | null;
  authUser: string | null;
  /** Named in the header only when there is exactly one. */
  recipients: readonly string[];
  time: Date;
}

/** The Received trace header (RFC 5321 §4.4) with TLS and AUTH details, CRLF-terminated. */
export function receivedHeader(i: ReceivedInfo): string {
  const clean = (s: string) => s.replace(/[\r\n()\\]/g, '');
  const ip = i.clientIp.includes(':') ? `IPv6:${i.clientIp}` : i.clientIp;
  const lines = [
    `Received: from ${clean(i.helo ?? 'unknown')} (${i.clientName ? clean(i.clientName) + ' ' : ''}[${ip}])`,
    `\tby ${i.hostname} (Mailstead) with ${i.protocol} id ${i.queueId}`,
  ];
  if (i.tls) lines.push(`\t(using ${clean(i.tls.version)} with cipher ${clean(i.tls.cipher)})`);
  if (i.authUser) lines.push(`\t(authenticated as ${clean(i.authUser)})`);
  const forClause = i.recipients.length === 1 ? `for <${clean(i.recipients[0]!)}>; ` : '';
  lines.push(`\t${forClause}${rfc5322Date(i.time)}`);
  return lines.join('\r\n') + '\r\n';
}
