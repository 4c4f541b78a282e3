import { defineKey } from '../schema.js';
import { boolType, durationType, enumType, intType, listType, stringType } from '../types.js';

/** Remote delivery: routing, the SMTP client, retries and bounces (Postfix's names where it has one). */
export const remoteKeys = [
  defineKey({
    key: 'dns.servers',
    type: listType(stringType),
    default: [],
    description:
      'DNS resolvers for MX, SPF, DKIM, DMARC and DNSBL lookups, each IP or IP:PORT; empty = the system resolvers.',
    reload: 'live',
  }),
  defineKey({
    key: 'dns.cache_time',
    type: durationType,
    default: 60_000,
    description:
      'Remote delivery keeps MX, A, AAAA and MTA-STS TXT answers (and "no such record" answers) this long at most; A and AAAA only for their TTL when shorter. 0 = ask the resolver every time.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.routes',
    type: listType(stringType),
    default: [],
    description:
      'SMTP routes with qmail smtproutes semantics, one per entry: DOMAIN:RELAY[:PORT] [USER PASSWORD]. A leading dot matches subdomains only, an empty RELAY uses MX, an empty DOMAIN is the default route (smarthost).',
    reload: 'live',
    secret: true,
  }),
  defineKey({
    key: 'smtp.tls_policy',
    type: listType(stringType),
    default: [],
    description:
      'Per-destination TLS policy, each DOMAIN=may|encrypt|verify (Postfix smtp_tls_policy_maps); others use smtp.tls_level.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.tls_level',
    type: enumType(['none', 'may', 'encrypt', 'verify'] as const),
    default: 'may',
    description:
      'Outbound TLS: none, may (opportunistic STARTTLS), encrypt (required), verify (required with a valid certificate).',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.mta_sts',
    type: boolType,
    default: true,
    description:
      "Apply the recipient domain's MTA-STS policy (RFC 8461) when DNS and the policy host provide one.",
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.helo_name',
    type: stringType,
    default: '',
    description: 'Name sent in EHLO by the SMTP client; empty = server.hostname.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.source_address',
    type: stringType,
    default: '',
    description: 'Local IP address outbound connections come from; empty = chosen by the system.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.max_connections',
    type: intType(1, 10_000),
    default: 100,
    description: 'Outbound SMTP connections open at once, across all destinations.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.destination_concurrency_initial',
    type: intType(1, 1000),
    default: 5,
    description:
      'Connections a destination starts with; grows on success up to smtp.destination_concurrency_limit.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.destination_concurrency_limit',
    type: intType(1, 1000),
    default: 20,
    description:
      'Most connections to one destination at once (Postfix default_destination_concurrency_limit).',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.destination_recipient_limit',
    type: intType(1, 1000),
    default: 50,
    description: 'Most recipients in one outbound transaction.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.connect_timeout',
    type: durationType,
    default: 30_000,
    description: 'Time to establish an outbound connection and get the greeting.',
    reload: 'live',
  }),
  defineKey({
    key: 'smtp.response_timeout',
    type: durationType,
    default: 300_000,
    description: 'Time to wait for each reply from a remote server (end of data included).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.run_delay',
    type: durationType,
    default: 300_000,
    description: 'How often the deferred queue is scanned for messages due again (Postfix queue_run_delay).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.minimal_backoff_time',
    type: durationType,
    default: 300_000,
    description: 'Shortest wait before retrying a deferred message (Postfix minimal_backoff_time).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.maximal_backoff_time',
    type: durationType,
    default: 4_000_000,
    description:
      'Longest wait between retries; the wait doubles from the minimal back-off up to this (Postfix maximal_backoff_time).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.maximal_queue_lifetime',
    type: durationType,
    default: 5 * 86_400_000,
    description: 'How long a message is retried before it is bounced (Postfix maximal_queue_lifetime).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.bounce_queue_lifetime',
    type: durationType,
    default: 5 * 86_400_000,
    description:
      'How long a bounce (null sender) is retried before it is dropped (Postfix bounce_queue_lifetime).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.delay_warning_time',
    type: durationType,
    default: 0,
    description:
      'Send the sender a "delayed" DSN after this long in the queue; 0 = never (Postfix delay_warning_time).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.dead_destination_time',
    type: durationType,
    default: 60_000,
    description:
      'After a destination fails to connect, skip it for this long so one dead site does not hold the queue.',
    reload: 'live',
  }),
  defineKey({
    key: 'bounce.sender',
    type: stringType,
    default: 'MAILER-DAEMON',
    description:
      'Local part (or full address) bounces come from; the envelope sender of a bounce is always empty.',
    reload: 'live',
  }),
  defineKey({
    key: 'bounce.double_bounce',
    type: enumType(['postmaster', 'drop'] as const),
    default: 'postmaster',
    description:
      'What happens to a bounce that cannot be delivered: sent to bounce.postmaster, or dropped (logged).',
    reload: 'live',
  }),
  defineKey({
    key: 'bounce.postmaster',
    type: stringType,
    default: '',
    description: "Where double bounces go; empty = postmaster@ the server's hostname domain.",
    reload: 'live',
  }),
  defineKey({
    key: 'bounce.include_original',
    type: enumType(['full', 'headers'] as const),
    default: 'full',
    description: 'Default for bounces without DSN RET: attach the full original or only its headers.',
    reload: 'live',
  }),
  defineKey({
    key: 'disclaimer.text',
    type: stringType,
    default: '',
    description:
      'Plain-text disclaimer appended to mail that authenticated users send to remote recipients (before DKIM signing); empty = none.',
    reload: 'live',
  }),
  defineKey({
    key: 'disclaimer.html',
    type: stringType,
    default: '',
    description:
      'HTML disclaimer for the HTML part (inserted before </body>); empty = disclaimer.text, escaped, in a paragraph.',
    reload: 'live',
  }),
  defineKey({
    key: 'disclaimer.dir',
    type: stringType,
    default: 'disclaimers',
    description:
      "Per-domain and personal disclaimers: DOMAIN.txt and DOMAIN.html in this directory (relative to the data dir) replace disclaimer.text and disclaimer.html for that domain's senders; ADDRESS.txt and ADDRESS.html (e.g. alice@example.com.txt) are added before them for that sender.",
    reload: 'live',
  }),
];
