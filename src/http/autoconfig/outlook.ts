import type { Endpoint, MailServices } from './mail-services.js';
import { el, renderXml, type XmlElement } from './xml.js';

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** The address in an Outlook POX request (`<EMailAddress>` inside `<Request>`), unescaped. */
export function poxRequestAddress(body: string): string | undefined {
  const m = /<(?:\w+:)?EMailAddress>([^<]*)<\/(?:\w+:)?EMailAddress>/i.exec(body);
  return m?.[1]
    ?.replace(
      /&(lt|gt|amp|apos|quot);/g,
      (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e]!,
    )
    .trim();
}

function protocol(
  type: 'IMAP' | 'POP3' | 'SMTP',
  hostname: string,
  address: string,
  e: Endpoint,
): XmlElement {
  return el('Protocol', [
    el('Type', [type]),
    el('Server', [hostname]),
    el('Port', [e.port]),
    el('DomainRequired', ['off']),
    el('LoginName', [address]),
    el('SPA', ['off']),
    el('SSL', [e.tls === 'implicit' ? 'on' : 'off']),
    // Encryption overrides SSL in Outlook 2010 and later; TLS there means STARTTLS.
    el('Encryption', [e.tls === 'implicit' ? 'SSL' : 'TLS']),
    el('AuthRequired', ['on']),
    ...(type === 'SMTP' ? [el('UsePOPAuth', ['on']), el('SMTPLast', ['off'])] : []),
  ]);
}

/**
 * Outlook autodiscover v1 (POX) response for an address: one account of type email with the
 * preferred IMAP endpoint, the preferred POP3 one and the preferred submission one.
 */
export function autodiscoverPox(s: MailServices, address: string): string {
  const first = <T>(xs: T[]) => xs.slice(0, 1);
  return renderXml(
    el('Autodiscover', { xmlns: RESPONSE_NS }, [
      el('Response', { xmlns: OUTLOOK_NS }, [
        el('User', [el('DisplayName', [address])]),
        el('Account', [
          el('AccountType', ['email']),
          el('Action', ['settings']),
          ...first(s.imap).map((e) => protocol('IMAP', s.hostname, address, e)),
          ...first(s.pop3).map((e) => protocol('POP3', s.hostname, address, e)),
          ...first(s.submission).map((e) => protocol('SMTP', s.hostname, address, e)),
        ]),
      ]),
    ]),
  );
}

/**
 * Outlook autodiscover v2 (JSON): Outlook asks where a protocol's endpoint is. Only
 * AutodiscoverV1 exists here (no EWS or ActiveSync); the answer points at the POX endpoint.
 */
export function autodiscoverV2(
  hostname: string,
  protocolName: string | undefined,
): { status: number; body: Record<string, string> } {
  if ((protocolName ?? '').toLowerCase() === 'autodiscoverv1') {
    return {
      status: 200,
      body: { Protocol: 'AutodiscoverV1', Url: `https://${hostname}/autodiscover/autodiscover.xml` },
    };
  }
  return {
    status: 400,
    body: {
      ErrorCode: 'InvalidProtocol',
      ErrorMessage: `The given protocol value '${protocolName ?? ''}' is invalid. Supported values are 'AutodiscoverV1'.`,
    },
  };
}
