import type { BlobRef } from '../store/blobs/blob-store.js';
import type { DueRecipient, NewRecipient, RecipientKind } from '../store/queue/queue-repo.js';

export type {
  DueRecipient,
  MessageRow,
  NewRecipient,
  RecipientKind,
  RecipientRow,
  RecipientState,
  QueueFilter,
} from '../store/queue/queue-repo.js';

/** One envelope recipient of a message being queued. */
export interface EnvelopeRecipient {
  address: string;
  kind: RecipientKind;
  orcpt?: string | null;
  notify?: string | null;
}

/** Everything the queue stores about an accepted message; the body is already a durable blob. */
export interface EnqueueRequest {
  /** Chosen by the caller before DATA so the Received header can name it. */
  queueId: string;
  /** Envelope sender; '' for the null sender. */
  sender: string;
  recipients: EnvelopeRecipient[];
  blob: BlobRef;
  /** Trace headers (Received) to put before the message at delivery, CRLF-terminated. */
  trace: string;
  messageId: string | null;
  subject: string | null;
  clientIp: string | null;
  clientName: string | null;
  helo: string | null;
  /** The authenticated account, when the client logged in. */
  authUser: string | null;
  source: 'smtp' | 'submission' | 'webmail' | 'local';
  dsnRet?: string | null;
  dsnEnvid?: string | null;
  /** Set when the message must wait for an administrator (compromised-account guard). */
  holdReason?: string | null;
}

/** What one delivery attempt decided for one recipient. */
export type DeliveryResult =
  | { state: 'delivered'; reply: string; children?: undefined }
  | { state: 'expanded'; reply: string; children: NewRecipient[] }
  | { state: 'deferred'; reply: string; children?: undefined }
  | { state: 'bounced'; reply: string; children?: undefined }
  | { state: 'held'; reply: string; children?: undefined };

/** Delivers recipients of queued messages: local delivery, remote delivery. */
export interface Deliverer {
  deliver(r: DueRecipient): Promise<DeliveryResult>;
  /**
   * Delivers several due recipients of one message at once (remote delivery sends those with one
   * destination in one transaction), calling `report` once per recipient as soon as its outcome
   * is known; resolves when every recipient was reported.
   */
  deliverMany?(
    rs: readonly DueRecipient[],
    report: (r: DueRecipient, res: DeliveryResult) => void,
  ): Promise<void>;
}
