import type { Account } from '../../directory/types.js';
import type { Recipient } from '../../directory/types.js';
import type { DeliverRequest, DeliverResult, QuotaStatus } from '../../mailbox/types.js';
import type { DeliveryResult, DueRecipient } from '../../queue/types.js';

/** What local delivery needs from the directory. */
export interface DeliveryDirectory {
  resolveRecipient(address: string): Promise<Recipient>;
}

/** What local delivery needs from the mailbox store: an idempotent append, and quota. */
export interface MailboxAppender {
  deliver(req: DeliverRequest): Promise<DeliverResult>;
  quotaStatus(accountId: number): Promise<QuotaStatus>;
}

/**
 * Delivers to one account through its Sieve scripts (sieve-step.ts): stores the message where they
 * say, and turns redirects, rejects and vacation replies into the queue result. Mailbox errors
 * (quota, temporary failures) are thrown for local delivery to map.
 */
export type SieveRunner = (input: {
  recipient: DueRecipient;
  accountId: number;
  deliveredTo: string;
  prefix: Buffer;
  /** The account as expansion just read it; read again by id when absent. */
  account?: Account;
}) => Promise<DeliveryResult>;
