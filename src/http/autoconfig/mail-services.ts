import type { ListenAddress } from '../../config/types.js';

/** What autoconfiguration needs from the config: `Config` satisfies it. */
export interface ConfigReader {
  get<T>(key: string): T;
}

/** One way to reach a service: a port, with TLS from the first byte or after STARTTLS/STLS. */
export interface Endpoint {
  port: number;
  tls: 'implicit' | 'starttls';
}

/** The mail services clients are told about, implicit TLS first (RFC 8314 §5.1 prefers it). */
export interface MailServices {
  hostname: string;
  imap: Endpoint[];
  pop3: Endpoint[];
  submission: Endpoint[];
}

function endpoints(config: ConfigReader, implicitKey: string, starttlsKey: string): Endpoint[] {
  const ports = (key: string) => [...new Set(config.get<ListenAddress[]>(key).map((a) => a.port))];
  return [
    ...ports(implicitKey).map((port): Endpoint => ({ port, tls: 'implicit' })),
    ...ports(starttlsKey).map((port): Endpoint => ({ port, tls: 'starttls' })),
  ];
}

/**
 * Reads the live listener settings. A listener that is `off` offers nothing; one bound to several
 * addresses on the same port is one endpoint, since clients connect by `server.hostname`.
 */
export function mailServices(config: ConfigReader): MailServices {
  return {
    hostname: config.get<string>('server.hostname'),
    imap: endpoints(config, 'listen.imaps', 'listen.imap'),
    pop3: endpoints(config, 'listen.pop3s', 'listen.pop3'),
    submission: endpoints(config, 'listen.submissions', 'listen.submission'),
  };
}

const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const LOCAL_PART = /^[^\s@"<>\\]{1,64}$/;

/** A lower-cased domain, or undefined when the text is not one. */
export function parseDomain(text: string | undefined): string | undefined {
  const t = text?.trim().replace(/\.$/, '').toLowerCase();
  return t && DOMAIN.test(t) ? t : undefined;
}

/** An email address split into its parts, or undefined when it is not one. */
export function parseEmail(text: string | undefined): { address: string; domain: string } | undefined {
  const t = text?.trim();
  const at = t?.lastIndexOf('@') ?? -1;
  if (!t || at < 1) return undefined;
  const domain = parseDomain(t.slice(at + 1));
  if (!domain || !LOCAL_PART.test(t.slice(0, at))) return undefined;
  return { address: `${t.slice(0, at)}@${domain}`, domain };
}
