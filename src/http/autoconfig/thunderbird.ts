import type { Endpoint, MailServices } from './mail-services.js';
import { el, renderXml, type XmlElement } from './xml.js';

const SOCKET: Record<Endpoint['tls'], string> = { implicit: 'SSL', starttls: 'STARTTLS' };

function server(
  tag: 'incomingServer' | 'outgoingServer',
  type: string,
  hostname: string,
  e: Endpoint,
): XmlElement {
  return el(tag, { type }, [
    el('hostname', [hostname]),
    el('port', [e.port]),
    el('socketType', [SOCKET[e.tls]]),
    el('authentication', ['password-cleartext']),
    el('username', ['%EMAILADDRESS%']),
  ]);
}

/**
 * Thunderbird's autoconfig document (config-v1.1.xml) for a domain: every IMAP, POP3 and
 * submission endpoint, preferred first. The login name is the whole address.
 */
export function thunderbirdConfig(s: MailServices, domain: string): string {
  return renderXml(
    el('clientConfig', { version: '1.1' }, [
      el('emailProvider', { id: domain }, [
        el('domain', [domain]),
        el('displayName', [`${domain} mail`]),
        el('displayShortName', [domain]),
        ...s.imap.map((e) => server('incomingServer', 'imap', s.hostname, e)),
        ...s.pop3.map((e) => server('incomingServer', 'pop3', s.hostname, e)),
        ...s.submission.map((e) => server('outgoingServer', 'smtp', s.hostname, e)),
      ]),
    ]),
  );
}
