import { defineKey } from '../schema.js';
import { durationType, intType } from '../types.js';

export const pop3Keys = [
  defineKey({
    key: 'pop3.idle_timeout',
    type: durationType,
    default: 10 * 60_000,
    description:
      'A POP3 session without a command for this long is closed (RFC 1939 asks for at least 10 minutes).',
    reload: 'live',
  }),
  defineKey({
    key: 'pop3.max_connections',
    type: intType(1, 1_000_000),
    default: 1000,
    description: 'Most POP3 sessions open at once, with and without TLS; more are refused with [SYS/TEMP].',
    reload: 'live',
  }),
];
