import type { Config } from '../../config/config.js';
import type { Logger } from '../../log/logger.js';
import type { MailboxActor } from '../../mailbox/types.js';
import { refuse } from '../../policy/refusal.js';
import type { EnvelopeRecipient } from '../../queue/types.js';
import type { SieveService } from '../../sieve/service/sieve-service.js';
import type { BlobRef, BlobStore } from '../../store/blobs/blob-store.js';
import { expandAddress } from './expand.js';
import type { DeliveryDirectory } from './ports.js';

/** The message at the end of DATA, scanned, about to be queued. */
export interface SmtpTimeMessage {
  queueId: string;
  sender: string;
  recipients: EnvelopeRecipient[];
  blob: BlobRef;
  source: 'smtp' | 'submission';
  /** Mail from one of our accounts reaches accounts that receive only local mail. */
  authUser: string | null;
}

export interface SmtpTimeRejectDeps {
  sieve: SieveService;
  directory: DeliveryDirectory;
  mailbox: {
    actorFor(accountId: number): Promise<MailboxActor>;
    folders: { list(actor: MailboxActor): Promise<{ name: string }[]> };
  };
  blobs: BlobStore;
  config: Config;
  log: Logger;
}

/** SMTP replies are US-ASCII on one line; the MDN and DSN paths keep the reason whole. */
function replyText(reason: string): string {
  return reason
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim()
    .slice(0, 400);
}

/**
 * RFC 5429 §2.1.1: a Sieve reject or ereject refused in the SMTP transaction itself (550 5.7.1
 * with the script's reason) instead of an MDN or a DSN after it. Possible only when the reply to
 * DATA speaks for the one recipient whose script refuses: a single envelope recipient that reaches
 * exactly one local mailbox (an alias to several, or a forward, is delivered later, as before).
 * The run is a dry run: nothing it would remember (vacation, duplicate) is stored, and when it
 * does not refuse, delivery runs the scripts again. Only scripts that can reject are run here.
 * Any failure of the dry run accepts the message, leaving the decision to delivery.
 */
export function smtpTimeReject(deps: SmtpTimeRejectDeps): (m: SmtpTimeMessage) => Promise<void> {
  return async (m) => {
    const only = m.recipients.length === 1 ? m.recipients[0]! : undefined;
    if (only?.kind !== 'local') return;
    let reason: string | undefined;
    let deliveredTo = only.address;
    try {
      const exp = await expandAddress(
        deps.directory,
        only.address,
        deps.config.get<number>('delivery.max_expansion_depth'),
      );
      const target = exp.targets.length === 1 ? exp.targets[0]! : undefined;
      if (target?.kind !== 'mailbox' || (target.account.receiveLocalOnly && !m.authUser)) return;
      deliveredTo = target.address;
      const run = await deps.sieve.runForDelivery({
        account: target.account,
        envelope: {
          from: m.sender,
          to: target.address,
          ...(only.orcpt ? { originalRecipient: only.orcpt.replace(/^rfc822;/i, '') } : {}),
        },
        readMessage: () => deps.blobs.get(m.blob.hash),
        folderNames: async () =>
          (await deps.mailbox.folders.list(await deps.mailbox.actorFor(target.account.id))).map(
            (f) => f.name,
          ),
        arrival: { queueId: m.queueId, source: m.source },
        onlyIf: ['reject', 'ereject'],
      });
      const reject = run?.actions.find((a) => a.type === 'reject');
      if (!reject) return;
      reason = reject.reason;
    } catch (e) {
      deps.log.warn(
        { event: 'sieve_smtp_time_failed', queueId: m.queueId, err: (e as Error).message },
        'Sieve dry run at SMTP time failed; the message is accepted and filtered at delivery',
      );
      return;
    }
    deps.log.info({ event: 'sieve_rejected_at_smtp', queueId: m.queueId, rcpt: deliveredTo, reason });
    throw refuse(
      550,
      '5.7.1',
      `<${only.address}>: refused by the recipient's mail filter: ${replyText(reason)}`,
    );
  };
}
