import { defineKey } from '../schema.js';
import {
  boolType,
  durationType,
  enumType,
  intType,
  listenType,
  listType,
  sizeType,
  stringType,
} from '../types.js';

const listen = (name: string, port: number, what: string) =>
  defineKey({
    key: `listen.${name}`,
    type: listenType,
    default: [{ host: '127.0.0.1', port }],
    description: `${what}: one or more HOST:PORT, or off.`,
    reload: 'restart',
  });

export const serverKeys = [
  defineKey({
    key: 'server.hostname',
    type: stringType,
    default: 'localhost',
    description:
      'The fully qualified name of this server: SMTP greeting, Received headers, certificate name.',
    reload: 'live',
  }),
  listen('smtp', 2525, 'SMTP for incoming mail (MX role); use 0.0.0.0:25 in production'),
  listen('submission', 2587, 'Message submission with STARTTLS and AUTH (RFC 6409)'),
  listen('submissions', 2465, 'Message submission over implicit TLS (RFC 8314)'),
  listen('imap', 2143, 'IMAP with STARTTLS'),
  listen('imaps', 2993, 'IMAP over implicit TLS'),
  listen('pop3', 2110, 'POP3 with STLS'),
  listen('pop3s', 2995, 'POP3 over implicit TLS'),
  listen('managesieve', 4190, 'ManageSieve (RFC 5804)'),
  listen('http', 8080, 'HTTP: admin API and UI, webmail, /healthz, /metrics'),
  defineKey({
    key: 'store.url',
    type: stringType,
    default: 'sqlite:mailstead.db',
    description:
      'Where the store lives: sqlite:FILE (relative to the data dir) or postgres://user:pass@host/db.',
    reload: 'restart',
  }),
  defineKey({
    key: 'store.blobs',
    type: enumType(['fs', 'postgres'] as const),
    default: 'fs',
    description:
      'Where message bodies are kept: fs (files under blob_dir, the small ones in the database, see store.inline_blob_max) or postgres (all in the database).',
    reload: 'restart',
  }),
  defineKey({
    key: 'store.inline_blob_max',
    type: sizeType,
    default: 128 * 1024,
    description:
      'With store.blobs = fs, message bodies up to this size are kept in the database instead of one file each: they are written in the commit that the database flushes anyway, which saves two fsyncs per message. 0 keeps every body in a file.',
    reload: 'restart',
  }),
  defineKey({
    key: 'store.blob_dir',
    type: stringType,
    default: 'blobs',
    description: 'Directory of the filesystem blob store, relative to the data dir unless absolute.',
    reload: 'restart',
  }),
  defineKey({
    key: 'tls.cert',
    type: stringType,
    default: 'tls/cert.pem',
    description:
      'Default certificate chain (PEM), relative to the data dir unless absolute. Reloaded when the file changes.',
    reload: 'live',
  }),
  defineKey({
    key: 'tls.key',
    type: stringType,
    default: 'tls/key.pem',
    description: 'Private key (PEM) of the default certificate.',
    reload: 'live',
  }),
  defineKey({
    key: 'tls.sni',
    type: listType(stringType),
    default: [],
    description:
      'Per-hostname certificates for SNI, each HOSTNAME=CERTFILE:KEYFILE (a leading *. matches subdomains).',
    reload: 'live',
  }),
  defineKey({
    key: 'tls.min_version',
    type: enumType(['TLSv1.2', 'TLSv1.3'] as const),
    default: 'TLSv1.2',
    description: 'The oldest TLS version accepted.',
    reload: 'live',
  }),
  defineKey({
    key: 'log.level',
    type: enumType(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const),
    default: 'info',
    description: 'Least severe level written to the server log.',
    reload: 'live',
  }),
  defineKey({
    key: 'log.format',
    type: enumType(['auto', 'json', 'pretty'] as const),
    default: 'auto',
    description: 'Server log format: json lines, pretty for people, or auto (pretty on a terminal).',
    reload: 'restart',
  }),
  defineKey({
    key: 'log.delivery_file',
    type: stringType,
    default: 'log/delivery.jsonl',
    description:
      'The append-only delivery log, one JSON line per delivery attempt; relative to the data dir.',
    reload: 'restart',
  }),
  defineKey({
    key: 'auth.ip_max_failures',
    type: intType(1, 1_000_000),
    default: 10,
    description: 'Failed logins from one client IP within auth.failure_window before it is locked out.',
    reload: 'live',
  }),
  defineKey({
    key: 'auth.account_max_failures',
    type: intType(1, 1_000_000),
    default: 5,
    description: 'Failed logins for one account within auth.failure_window before it is locked out.',
    reload: 'live',
  }),
  defineKey({
    key: 'auth.failure_window',
    type: durationType,
    default: 15 * 60_000,
    description: 'The window over which failed logins are counted.',
    reload: 'live',
  }),
  defineKey({
    key: 'auth.lockout_time',
    type: durationType,
    default: 60_000,
    description: 'First lockout length; it doubles with each further lockout, up to auth.max_lockout_time.',
    reload: 'live',
  }),
  defineKey({
    key: 'auth.max_lockout_time',
    type: durationType,
    default: 60 * 60_000,
    description: 'Longest lockout after repeated failures.',
    reload: 'live',
  }),
  defineKey({
    key: 'auth.cache_ttl',
    type: durationType,
    default: 60 * 60_000,
    description:
      'How long a verified password spares the next logins of its account the password hash check (0: always check).',
    reload: 'live',
  }),
  defineKey({
    key: 'auth.allow_plaintext',
    type: boolType,
    default: false,
    description: 'Allow password logins over unencrypted connections (never advisable outside tests).',
    reload: 'live',
  }),
];
