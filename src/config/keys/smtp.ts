import { defineKey } from '../schema.js';
import {
  boolType,
  cidrType,
  durationType,
  enumType,
  intType,
  listType,
  sizeType,
  stringType,
} from '../types.js';

export const AUTH_MODES = ['none', 'optional', 'required'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

const authMode = (listener: string, def: AuthMode, role: string) =>
  defineKey({
    key: `smtp.auth_mode.${listener}`,
    type: enumType(AUTH_MODES),
    default: def,
    description: `AUTH on listen.${listener} (${role}): none (not offered), optional, or required before MAIL. AUTH is never offered before TLS.`,
    reload: 'live',
  });

const accessMap = (key: string, what: string) =>
  defineKey({
    key,
    type: listType(stringType),
    default: [],
    description: `${what}, each "PATTERN ACTION" like Postfix's check_*_access: PATTERN is user@domain, domain (and its subdomains when written .domain), user@, or /regex/flags; ACTION is OK, REJECT, DEFER or a reply "CODE X.Y.Z text". First match wins.`,
    reload: 'live',
  });

/** The SMTP listeners and their policy (the smtpd of the classic suites). */
export const smtpKeys = [
  defineKey({
    key: 'smtp.hostname',
    type: stringType,
    default: '',
    description: 'Name in the SMTP greeting and Received headers; empty means server.hostname.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.greeting',
    type: stringType,
    default: 'Mailstead',
    description: 'Text after "HOSTNAME ESMTP" in the 220 greeting.',
    reload: 'restart',
  }),
  defineKey({
    key: 'smtp.greet_pause',
    type: durationType,
    default: 0,
    description:
      'Wait before the 220 greeting; a client that talks before it is refused (421 "You talk too soon"), a cheap test that stops some spam bots. 0 = greet at once.',
    reload: 'restart',
  }),
  authMode('smtp', 'optional', 'MX'),
  authMode('submission', 'required', 'STARTTLS submission'),
  authMode('submissions', 'required', 'implicit TLS submission'),
  defineKey({
    key: 'smtp.default_domain',
    type: stringType,
    default: '',
    description:
      'Domain appended to bare addresses (no @) given by authenticated clients; empty means server.hostname.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.max_message_size',
    type: sizeType,
    default: 25 * 1024 * 1024,
    description:
      'Largest message accepted (advertised in EHLO SIZE); larger ones get 552 5.3.4 and nothing is kept.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.max_header_size',
    type: sizeType,
    default: 1024 * 1024,
    description: 'Largest header block accepted; a larger one gets 552 5.3.4.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.max_recipients',
    type: intType(1, 100_000),
    default: 1000,
    description: 'Recipients per message; more get 452 4.5.3.',
    reload: 'restart',
  }),
  defineKey({
    key: 'smtp.max_received_headers',
    type: intType(1, 1000),
    default: 50,
    description: 'Loop detection: a message with more Received headers is refused with 554 5.4.6.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.max_clients',
    type: intType(1, 1_000_000),
    default: 1000,
    description: 'Concurrent inbound SMTP sessions over all listeners; more get 421 4.7.0.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.max_clients_per_ip',
    type: intType(0, 1_000_000),
    default: 50,
    description: 'Concurrent sessions from one client IP (0 = no limit); trusted networks are exempt.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.client_connection_rate',
    type: intType(0, 1_000_000),
    default: 0,
    description: 'New connections per minute from one client IP (0 = no limit); trusted networks are exempt.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.client_message_rate',
    type: intType(0, 1_000_000),
    default: 0,
    description: 'Messages per minute from one client IP (0 = no limit); trusted networks are exempt.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.soft_error_limit',
    type: intType(0, 10_000),
    default: 10,
    description:
      'After this many refused commands in a session, each further reply is delayed by smtp.error_sleep.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.hard_error_limit',
    type: intType(1, 10_000),
    default: 20,
    description: 'After this many refused commands the session is closed with 421 4.7.0.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.error_sleep',
    type: durationType,
    default: 1000,
    description: 'Tarpit delay before each refusal once the soft error limit is passed.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.tarpit',
    type: boolType,
    default: true,
    description: 'Switch for the tarpit delay (smtp.error_sleep); the hard error limit applies either way.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.timeout',
    type: durationType,
    default: 300_000,
    description:
      'Idle time allowed while the server waits for the client (RFC 5321 §4.5.3.2 suggests 5 minutes).',
    reload: 'restart',
  }),
  defineKey({
    key: 'smtp.helo_required',
    type: boolType,
    default: false,
    description:
      'Refuse MAIL unless HELO/EHLO named a fully qualified domain or an address literal such as [192.0.2.1] (504 5.5.2); HELO/EHLO itself is always required.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.strict_rfc5321',
    type: boolType,
    default: false,
    description:
      'Refuse envelope addresses that RFC 5321 does not allow (no domain, bad local part) with 501 5.1.3/5.1.7 instead of tolerating them.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.reject_unknown_client_hostname',
    type: boolType,
    default: false,
    description:
      'Refuse clients whose IP has no reverse DNS name that resolves back to it, using dns.servers: 550 5.7.25, or 450 4.7.25 when DNS fails to answer.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.chunking',
    type: boolType,
    default: true,
    description:
      'Offer CHUNKING (RFC 3030): clients may send the message in BDAT chunks instead of DATA. Applies to new connections.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.check_from_header',
    type: boolType,
    default: true,
    description:
      "For logged-in senders, hold the From: header to the same send-as / send-on-behalf grants as MAIL FROM (553 5.7.1 otherwise); send-on-behalf also needs a Sender: header with the user's own address.",
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.bare_lf',
    type: enumType(['reject', 'accept'] as const),
    default: 'reject',
    description:
      'A message with a bare LF (not CRLF) line ending: reject with 554 5.6.0 (guards against SMTP smuggling downstream) or accept as is.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.trusted_networks',
    type: listType(cidrType),
    default: [],
    description:
      'Client networks allowed to relay without AUTH and exempt from per-IP limits. Empty: nobody, not even loopback.',
    reload: 'live',
  }),
  accessMap('smtp.sender_access', 'Envelope sender access map'),
  accessMap('smtp.recipient_access', 'Envelope recipient access map'),
  defineKey({
    key: 'smtp.inbound_blacklist',
    type: listType(stringType),
    default: [],
    description:
      'Sender patterns refused on incoming mail (550 5.7.1), with * wildcards, e.g. *@*.ru or spammer@*.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.outbound_blacklist',
    type: listType(stringType),
    default: [],
    description: 'Recipient patterns authenticated users may not send to (550 5.7.1), with * wildcards.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.account_max_messages_per_hour',
    type: intType(0, 10_000_000),
    default: 1000,
    description:
      'Compromised-account guard: messages an account may send per hour (0 = no limit) before its outgoing mail is held.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.account_max_recipients_per_hour',
    type: intType(0, 10_000_000),
    default: 5000,
    description:
      'Compromised-account guard: recipients an account may send to per hour (0 = no limit) before its outgoing mail is held.',
    reload: 'live',
  }),
];
