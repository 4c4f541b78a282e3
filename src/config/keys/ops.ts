import { defineKey } from '../schema.js';
import { durationType, sizeType } from '../types.js';

export const opsKeys = [
  defineKey({
    key: 'log.delivery_rotate_size',
    type: sizeType,
    default: 256 * 1024 ** 2,
    description:
      'Rotate the delivery log when it grows past this size: it is renamed to a dated file that `mailstead log` still reads. 0 never rotates.',
    reload: 'live',
  }),
  defineKey({
    key: 'log.delivery_retention',
    type: durationType,
    default: 90 * 86_400_000,
    description:
      'Delete rotated delivery logs (and their summaries) last written longer ago than this. 0 keeps them forever.',
    reload: 'live',
  }),
];
