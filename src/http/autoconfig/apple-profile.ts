import { createHash } from 'node:crypto';
import type { MailServices } from './mail-services.js';
import { el, renderXml, type XmlNode } from './xml.js';

const PLIST_PROLOG =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

type PlistValue = string | number | boolean | PlistValue[] | { [k: string]: PlistValue };

function plist(v: PlistValue): XmlNode {
  if (typeof v === 'string') return el('string', [v]);
  if (typeof v === 'number') return el('integer', [v]);
  if (typeof v === 'boolean') return el(v ? 'true' : 'false');
  if (Array.isArray(v)) return el('array', v.map(plist));
  return el(
    'dict',
    Object.entries(v).flatMap(([k, x]) => [el('key', [k]), plist(x)]),
  );
}

/** A stable UUID from a seed, so downloading the profile again replaces it instead of adding one. */
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/**
 * An unsigned Apple configuration profile (.mobileconfig) with one mail account for the address:
 * IMAP if offered, else POP3, and submission, on their preferred endpoints. No password is put
 * in it; the device asks for it.
 */
export function appleMobileconfig(s: MailServices, address: string): string | undefined {
  const incoming = s.imap[0] ?? s.pop3[0];
  const outgoing = s.submission[0];
  if (!incoming || !outgoing) return undefined;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const reverse = s.hostname.split('.').reverse().join('.');
  const account: PlistValue = {
    EmailAccountDescription: address,
    EmailAccountName: address,
    EmailAccountType: s.imap[0] ? 'EmailTypeIMAP' : 'EmailTypePOP',
    EmailAddress: address,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerHostName: s.hostname,
    IncomingMailServerPortNumber: incoming.port,
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: address,
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerHostName: s.hostname,
    OutgoingMailServerPortNumber: outgoing.port,
    OutgoingMailServerUseSSL: true,
    OutgoingMailServerUsername: address,
    OutgoingPasswordSameAsIncomingPassword: true,
    PayloadDescription: `Mail account ${address}`,
    PayloadDisplayName: address,
    PayloadIdentifier: `${reverse}.mail.${address}`,
    PayloadType: 'com.apple.mail.managed',
    PayloadUUID: stableUuid(`mail:${s.hostname}:${address}`),
    PayloadVersion: 1,
  };
  return renderXml(
    el('plist', { version: '1.0' }, [
      plist({
        PayloadContent: [account],
        PayloadDescription: `Mail settings for ${address} on ${domain}`,
        PayloadDisplayName: `${domain} mail`,
        PayloadIdentifier: `${reverse}.profile.${address}`,
        PayloadRemovalDisallowed: false,
        PayloadType: 'Configuration',
        PayloadUUID: stableUuid(`profile:${s.hostname}:${address}`),
        PayloadVersion: 1,
      }),
    ]),
    PLIST_PROLOG,
  );
}
