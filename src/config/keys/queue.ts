import { defineKey } from '../schema.js';
import { boolType, durationType, intType, listType, stringType } from '../types.js';

/**
 * The queue manager and local delivery (qmgr and local in Postfix). Retry timing uses the
 * queue.*_backoff_time and queue.maximal_queue_lifetime keys declared with remote delivery.
 */
export const queueKeys = [
  defineKey({
    key: 'queue.concurrency',
    type: intType(1, 10_000),
    default: 64,
    description:
      'Deliveries in progress at once: a local recipient, or the due remote recipients of one message (sent per destination in shared transactions).',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.retry_share',
    type: intType(1, 100),
    default: 25,
    description:
      'Percent of queue.concurrency that retries of deferred mail may take, so a deferred backlog never starves new mail.',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.commit_batch',
    type: intType(1, 100_000),
    default: 500,
    description: 'Group commit: most messages made durable in one transaction.',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.commit_delay',
    type: durationType,
    default: 0,
    description:
      'Group commit: extra time to gather messages of concurrent sessions into one transaction (and one fsync) before it starts; it adds at most this much to the reply after DATA. 0: messages that arrive while a commit is being flushed share the next one, which batches well under load without delaying a lone session.',
    reload: 'live',
  }),
  defineKey({
    key: 'queue.deliver_at_once',
    type: boolType,
    default: true,
    description:
      'A message for a single local recipient is delivered before the reply to DATA and never enters the queue: its 250 (still "queued as ID") comes once it is in the mailbox. One that cannot be delivered at once (mailbox full, an alias with several members, a DSN asking for a delivery report, a held sender, archive copies) is queued as usual. no: every message goes through the queue.',
    reload: 'live',
  }),
  defineKey({
    key: 'delivery.recipient_delimiter',
    type: stringType,
    default: '+',
    description: 'Separates the address extension: user+tag@domain is delivered to user@domain (empty: off).',
    reload: 'live',
  }),
  defineKey({
    key: 'delivery.max_expansion_depth',
    type: intType(1, 100),
    default: 10,
    description: 'Nesting of aliases and forwards followed before expansion stops (loop protection).',
    reload: 'live',
  }),
  defineKey({
    key: 'delivery.always_bcc',
    type: stringType,
    default: '',
    description: 'Archive address that gets a copy of every message accepted (empty: off).',
    reload: 'live',
  }),
  defineKey({
    key: 'delivery.sender_bcc_maps',
    type: listType(stringType),
    default: [],
    description: 'Per-sender archive copies, each "SENDER=BCC" (SENDER an address or @domain).',
    reload: 'live',
  }),
  defineKey({
    key: 'delivery.recipient_bcc_maps',
    type: listType(stringType),
    default: [],
    description: 'Per-recipient archive copies, each "RECIPIENT=BCC" (RECIPIENT an address or @domain).',
    reload: 'live',
  }),
];
