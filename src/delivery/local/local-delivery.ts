import type { Account } from '../../directory/types.js';
import type { Config } from '../../config/config.js';
import { MailsteadError, LimitError } from '../../core/errors.js';
import type { Logger } from '../../log/logger.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import type { Deliverer, DeliveryResult, DueRecipient, NewRecipient } from '../../queue/types.js';
import { domainOf } from '../../queue/address-domain.js';
import { expandAddress, type Target } from './expand.js';
import type { DeliveryDirectory, MailboxAppender, SieveRunner } from './ports.js';
import { tracePrefix } from './trace-prefix.js';

/**
 * Local delivery (Postfix's local(8)): expands a queued recipient to its final mailboxes and
 * remote addresses, and appends to a mailbox through the mailbox store. Expansion to more than
 * one destination becomes new queue recipients, each with its own state; a single mailbox is
 * delivered at once. The append is idempotent on queue id + account + folder, so a delivery
 * repeated after a crash stores nothing twice.
 */
export class LocalDelivery implements Deliverer {
  constructor(
    private readonly directory: DeliveryDirectory,
    private readonly mailbox: MailboxAppender,
    private readonly blobs: BlobStore,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly sieve?: SieveRunner,
  ) {}

  async deliver(r: DueRecipient): Promise<DeliveryResult> {
    // Rows made by an earlier expansion already name their mailbox; expanding them again would loop.
    if (r.accountId !== null) return this.toMailbox(r, r.accountId, r.recipient);
    const exp = await expandAddress(
      this.directory,
      r.recipient,
      this.config.get<number>('delivery.max_expansion_depth'),
    );
    const local = isLocalOrigin(r);
    const targets = exp.targets.filter((t) => {
      if (t.kind !== 'mailbox' || !t.account.receiveLocalOnly || local) return true;
      exp.dropped.push({ address: t.address, reason: 'the account receives only local mail' });
      return false;
    });
    for (const d of exp.dropped)
      this.log.info({
        event: 'expansion_dropped',
        queueId: r.queueId,
        recipient: r.recipient,
        address: d.address,
        reason: d.reason,
      });
    if (!targets.length) {
      const why = exp.dropped[0]?.reason ?? 'no destination';
      return { state: 'bounced', reply: `550 5.1.1 <${r.recipient}>: ${why}` };
    }
    const only = targets[0]!;
    if (targets.length === 1 && only.kind === 'mailbox')
      return this.toMailbox(r, only.account.id, only.address, only.account);
    return {
      state: 'expanded',
      reply: `250 2.0.0 expanded to ${targets.length} recipient(s)`,
      children: targets.map((t) => child(t, r)),
    };
  }

  private async toMailbox(
    r: DueRecipient,
    accountId: number,
    deliveredTo: string,
    account?: Account,
  ): Promise<DeliveryResult> {
    const m = r.message;
    const prefix = tracePrefix(m.sender, deliveredTo, m.trace);
    try {
      if (this.sieve)
        return await this.sieve({
          recipient: r,
          accountId,
          deliveredTo,
          prefix,
          ...(account ? { account } : {}),
        });
      const res = await this.mailbox.deliver({
        accountId,
        blob: { hash: m.blobHash, size: m.size },
        prefix,
        internalDate: m.receivedAt,
        flags: [],
        dedupeKey: `${r.queueId}/${accountId}/INBOX`,
      });
      return {
        state: 'delivered',
        reply: `250 2.0.0 <${deliveredTo}> delivered to ${res.folder} uid ${res.uid}`,
      };
    } catch (e) {
      if (e instanceof LimitError)
        return { state: 'deferred', reply: `452 4.2.2 <${deliveredTo}>: mailbox full (${e.message})` };
      if (e instanceof MailsteadError && e.smtp && e.smtp.code >= 500)
        return { state: 'bounced', reply: e.smtpReply() };
      this.log.warn({
        event: 'mailbox_append_failed',
        queueId: r.queueId,
        recipient: deliveredTo,
        err: (e as Error).message,
      });
      return { state: 'deferred', reply: `451 4.3.0 <${deliveredTo}>: temporary mailbox error` };
    }
  }
}

/** Mail counts as local when an account here sent it (so "receive only local mail" admits it). */
function isLocalOrigin(r: DueRecipient): boolean {
  return r.message.authUser !== null || r.message.source === 'local';
}

function child(t: Target, parent: DueRecipient): NewRecipient {
  return {
    address: t.address,
    domain: domainOf(t.address),
    kind: t.kind === 'mailbox' ? 'local' : 'remote',
    accountId: t.kind === 'mailbox' ? t.account.id : null,
    orcpt: parent.orcpt ?? `rfc822;${parent.recipient}`,
    notify: parent.notify,
    state: 'queued',
    nextAttempt: 0,
  };
}
