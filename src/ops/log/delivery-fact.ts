import type { DeliveryRecord } from '../../log/delivery-record.js';

/** Column codes the index stores for a record's kind and result. */
export const KIND = { local: 0, remote: 1 } as const;
export const RESULT = { success: 0, deferral: 1, failure: 2 } as const;

/**
 * What the analytics need from one delivery-log line. Addresses are lower-cased so that
 * `--sender Bob@Example.com` and `bob@example.com` are the same sender.
 * `auth` is the local account that submitted the message (the owner of outgoing mail); the owner
 * of incoming mail is the recipient of a local delivery.
 */
export interface DeliveryFact {
  time: number;
  sender: string;
  recipient: string;
  auth: string | null;
  kind: 0 | 1;
  result: 0 | 1 | 2;
  webmail: 0 | 1;
  size: number;
}

/** Reads one log line; undefined for a line that is not a delivery record (torn, foreign). */
export function parseDeliveryLine(line: string): { fact: DeliveryFact; record: DeliveryRecord } | undefined {
  let r: DeliveryRecord;
  try {
    r = JSON.parse(line) as DeliveryRecord;
  } catch {
    return undefined;
  }
  const time = Date.parse(r?.time);
  const kind = KIND[r.kind];
  const result = RESULT[r.result];
  if (Number.isNaN(time) || kind === undefined || result === undefined || typeof r.recipient !== 'string')
    return undefined;
  return {
    record: r,
    fact: {
      time,
      sender: String(r.sender ?? '').toLowerCase(),
      recipient: r.recipient.toLowerCase(),
      auth: r.authUser ? r.authUser.toLowerCase() : null,
      kind,
      result,
      webmail: r.source === 'webmail' ? 1 : 0,
      size: Number(r.size) || 0,
    },
  };
}

/** The domain of an address, or of a bare domain; undefined for a login name without one. */
export function domainOf(name: string): string | undefined {
  const at = name.lastIndexOf('@');
  return at >= 0 ? name.slice(at + 1) : undefined;
}
