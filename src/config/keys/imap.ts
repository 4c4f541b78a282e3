import { defineKey } from '../schema.js';
import { durationType, intType, sizeType } from '../types.js';

export const imapKeys = [
  defineKey({
    key: 'imap.idle_timeout',
    type: durationType,
    default: 30 * 60_000,
    description:
      'An IMAP session without a command (or IDLE) for this long is closed; RFC 9051 asks for at least 30 minutes.',
    reload: 'live',
  }),
  defineKey({
    key: 'imap.max_connections',
    type: intType(1, 10_000_000),
    default: 20_000,
    description:
      'Most IMAP sessions open at once, with and without TLS; more are refused with BYE [UNAVAILABLE].',
    reload: 'live',
  }),
  defineKey({
    key: 'imap.max_connections_per_ip',
    type: intType(1, 10_000_000),
    default: 200,
    description: 'Most IMAP sessions open at once from one client address.',
    reload: 'live',
  }),
  defineKey({
    key: 'imap.max_connections_per_account',
    type: intType(1, 10_000_000),
    default: 50,
    description:
      'Most authenticated IMAP sessions of one account at once; a login over it is refused with NO [LIMIT].',
    reload: 'live',
  }),
  defineKey({
    key: 'imap.envelope_cache_size',
    type: sizeType,
    default: 64 * 1024 * 1024,
    description:
      'Memory for ENVELOPE responses already encoded, shared by all IMAP sessions, so a client listing a folder again costs no re-encoding; 0 turns the cache off.',
    reload: 'restart',
  }),
];
