import type { Resolver } from 'node:dns/promises';
import { authenticate, type AuthenticateResult } from 'mailauth';

export interface AuthenticityInput {
  message: Buffer;
  /** Envelope sender; '' for the null sender. */
  sender: string;
  ip: string;
  helo: string;
  /** Our hostname, named in the Authentication-Results header. */
  mta: string;
}

export interface AuthenticityVerdict {
  /** Received-SPF and Authentication-Results, CRLF-terminated, to put at the top of the message. */
  headers: string;
  spf: string;
  dkim: string;
  dmarc: string;
  arc: string;
  /** The DMARC policy of the From: domain when DMARC failed: what its owner asks receivers to do. */
  dmarcFailurePolicy: 'reject' | 'quarantine' | 'none' | null;
  fromDomain: string | null;
}

/**
 * SPF, DKIM, DMARC and ARC for one incoming message (mailauth), with DNS through our resolver so
 * `dns.servers` applies. The verdict is data for the SMTP policy (reject / quarantine) and the
 * spam filter; headers record it for the user's mail client.
 */
export async function checkAuthenticity(
  resolver: Resolver,
  input: AuthenticityInput,
): Promise<AuthenticityVerdict> {
  const r: AuthenticateResult = await authenticate(input.message, {
    ip: input.ip,
    helo: input.helo,
    sender: input.sender,
    mta: input.mta,
    disableBimi: true,
    resolver: (name: string, rr: string) => resolver.resolve(name, rr) as Promise<string[] | string[][]>,
  });
  const dkimResults = r.dkim?.results ?? [];
  const dkim = dkimResults.length
    ? dkimResults.some((d) => d.status?.result === 'pass')
      ? 'pass'
      : (dkimResults[0]?.status?.result ?? 'none')
    : 'none';
  const dmarc = r.dmarc ? (r.dmarc.status?.result ?? 'none') : 'none';
  const policy = r.dmarc && dmarc === 'fail' ? (r.dmarc.policy as 'reject' | 'quarantine' | 'none') : null;
  return {
    headers: r.headers,
    spf: r.spf ? (r.spf.status?.result ?? 'none') : 'none',
    dkim,
    dmarc,
    arc: r.arc ? (r.arc.status?.result ?? 'none') : 'none',
    dmarcFailurePolicy: policy,
    fromDomain: r.dmarc ? r.dmarc.domain : null,
  };
}
