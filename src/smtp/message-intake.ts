import type { SmtpTimeMessage } from '../delivery/local/smtp-time-reject.js';
import type { AccountGuard } from '../policy/account-guard.js';
import type { InboundCheckRequest, InboundVerdict } from '../policy/inbound-checks.js';
import type { EnqueueRequest } from '../queue/types.js';
import type { ContentScanRequest } from '../scan/content-scan.js';
import type { BlobRef } from '../store/blobs/blob-store.js';

/** A message whose DATA is in and stored, with what the session knows of its envelope and client. */
export interface ReceivedMessage extends Omit<EnqueueRequest, 'holdReason' | 'source' | 'clientIp'> {
  clientIp: string;
  source: 'smtp' | 'submission';
  /** Our own users (logged in, on submission, or on a trusted network) skip the inbound checks. */
  exempt: boolean;
}

/** The stages a received message passes before the queue, each throwing its refusal. */
export interface IntakeStages {
  guard: Pick<AccountGuard, 'check'>;
  /** The queue's intake: queued, or delivered at once (MailQueue.accept). */
  accept(req: EnqueueRequest): Promise<string>;
  /** Sender authenticity (SPF, DKIM, DMARC, ARC): the blob with Authentication-Results. */
  inboundCheck?(req: InboundCheckRequest): Promise<InboundVerdict>;
  /** Content scanning (virus, spam): the blob to queue. */
  scan?(req: ContentScanRequest): Promise<BlobRef>;
  /**
   * The recipient's own filter, last before the queue: Sieve reject/ereject refused in the
   * transaction when there is a single local recipient (RFC 5429 §2.1.1).
   */
  recipientFilter?(m: SmtpTimeMessage): Promise<void>;
}

/**
 * End of DATA after the body is stored: authenticity, content scan, the recipient's filter, the
 * compromised-account guard, then the queue. Returns the hold reason the message was queued with.
 */
export function messageIntake(s: IntakeStages): (m: ReceivedMessage) => Promise<string | null> {
  return async (m) => {
    const checked = s.inboundCheck
      ? await s.inboundCheck({
          clientIp: m.clientIp,
          exempt: m.exempt,
          blob: m.blob,
          sender: m.sender,
          helo: m.helo ?? '',
        })
      : undefined;
    const blob = s.scan
      ? await s.scan({
          queueId: m.queueId,
          blob: checked?.blob ?? m.blob,
          scoreHits: checked?.scoreHits ?? [],
          quarantine: checked?.quarantine ?? null,
          sender: m.sender,
          recipients: m.recipients,
          clientIp: m.clientIp,
          authUser: m.authUser,
          messageId: m.messageId,
        })
      : (checked?.blob ?? m.blob);
    await s.recipientFilter?.({
      queueId: m.queueId,
      sender: m.sender,
      recipients: m.recipients,
      blob,
      source: m.source,
      authUser: m.authUser,
    });
    const outbound = m.authUser ? m.recipients.filter((r) => r.kind === 'remote').length : 0;
    const holdReason = m.authUser && outbound ? await s.guard.check(m.authUser, outbound) : null;
    // The queue takes the fields it stores (queue.ts maps them one by one); `exempt` is not one.
    await s.accept({ ...m, blob, holdReason });
    return holdReason;
  };
}
