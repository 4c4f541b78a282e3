import type { Config } from '../../config/config.js';

function lookup(map: readonly string[], address: string): string[] {
  const a = address.toLowerCase();
  const domain = a.slice(a.lastIndexOf('@'));
  const out: string[] = [];
  for (const line of map) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    if (key === a || key === domain) out.push(line.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Archive copies for a message (Postfix always_bcc, sender_bcc_maps, recipient_bcc_maps):
 * the addresses to add as extra recipients, without the ones already on the envelope.
 */
export function archiveCopies(config: Config, sender: string, recipients: readonly string[]): string[] {
  const extra = new Set<string>();
  const always = config.get<string>('delivery.always_bcc').trim();
  if (always) extra.add(always);
  if (sender) for (const b of lookup(config.get<string[]>('delivery.sender_bcc_maps'), sender)) extra.add(b);
  const rcptMap = config.get<string[]>('delivery.recipient_bcc_maps');
  if (rcptMap.length) for (const r of recipients) for (const b of lookup(rcptMap, r)) extra.add(b);
  const have = new Set(recipients.map((r) => r.toLowerCase()));
  return [...extra].filter((b) => b && !have.has(b.toLowerCase()));
}
