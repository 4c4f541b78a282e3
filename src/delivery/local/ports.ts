import type { Recipient } from '../../directory/types.js';
import type { DeliverRequest, DeliverResult, QuotaStatus } from '../../mailbox/types.js';
import type { SieveAction } from '../../sieve/actions.js';
import type { SieveEnvelope } from '../../sieve/context.js';

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
 * Runs the recipient's active Sieve script, if it has one. Returns its actions, or undefined for
 * the implicit keep. `readMessage` loads the message only when the script needs it.
 */
export type SieveRunner = (input: { accountId: number; envelope: SieveEnvelope; readMessage: () => Promise<Buffer> }) => Promise<SieveAction[] | undefined>;
