import { defineKey } from '../schema.js';
import { durationType, intType, sizeType } from '../types.js';

/** Limits on users' Sieve scripts: what ManageSieve accepts and what a run at delivery may do. */
export const sieveKeys = [
  defineKey({
    key: 'sieve.max_steps',
    type: intType(1000, 1_000_000_000),
    default: 5_000_000,
    description:
      'Work units (commands, tests, comparisons, regex steps) one delivery may spend in Sieve; a script that needs more is stopped and the message kept.',
    reload: 'live',
  }),
  defineKey({
    key: 'sieve.max_redirects',
    type: intType(0, 100),
    default: 4,
    description:
      'Most redirect actions per message and recipient; a script that asks for more fails and the message is kept.',
    reload: 'live',
  }),
  defineKey({
    key: 'sieve.vacation_min_period',
    type: durationType,
    default: 86_400_000,
    description:
      'Shortest period a vacation reply suppresses further replies to the same sender (:days/:seconds below it are raised).',
    reload: 'live',
  }),
  defineKey({
    key: 'sieve.vacation_default_period',
    type: durationType,
    default: 7 * 86_400_000,
    description:
      'Period a vacation reply suppresses further replies to the same sender when the script gives none.',
    reload: 'live',
  }),
  defineKey({
    key: 'sieve.vacation_max_period',
    type: durationType,
    default: 90 * 86_400_000,
    description:
      'Longest period a vacation reply suppresses further replies (:days/:seconds above it are lowered).',
    reload: 'live',
  }),
  defineKey({
    key: 'sieve.max_script_size',
    type: sizeType,
    default: 256 * 1024,
    description:
      'Largest Sieve script a user may store (ManageSieve HAVESPACE/PUTSCRIPT, the CLI, the rule editor).',
    reload: 'live',
  }),
  defineKey({
    key: 'sieve.max_scripts',
    type: intType(1, 10_000),
    default: 32,
    description: 'Most Sieve scripts one user may store.',
    reload: 'live',
  }),
  defineKey({
    key: 'managesieve.idle_timeout',
    type: durationType,
    default: 30 * 60_000,
    description: 'A ManageSieve session without a command for this long is closed.',
    reload: 'live',
  }),
  defineKey({
    key: 'managesieve.max_connections',
    type: intType(1, 1_000_000),
    default: 500,
    description: 'Most ManageSieve sessions open at once; more are refused with BYE (TRYLATER).',
    reload: 'live',
  }),
];
