import { defineKey } from '../schema.js';
import { boolType, enumType, listType, stringType } from '../types.js';

/** Inbound sender authenticity (SPF, DKIM, DMARC, ARC) and DNS blacklists. */
export const authenticityKeys = [
  defineKey({
    key: 'authenticity.check',
    type: boolType,
    default: true,
    description:
      'Verify SPF, DKIM, DMARC and ARC of mail arriving on listen.smtp and add an Authentication-Results header.',
    reload: 'live',
  }),
  defineKey({
    key: 'authenticity.dmarc_enforce',
    type: enumType(['policy', 'quarantine', 'none'] as const),
    default: 'policy',
    description:
      "What a DMARC failure does: policy (the domain's p=reject refuses at end of DATA, p=quarantine files into Junk), quarantine (never refuse, always Junk), none (only record the result).",
    reload: 'live',
  }),
  defineKey({
    key: 'dnsbl.zones',
    type: listType(stringType),
    default: [],
    description:
      'DNS blacklists the client IP is checked against, each ZONE or ZONE=reject or ZONE=score:N (e.g. zen.spamhaus.org=reject).',
    reload: 'live',
  }),
];
