/**
 * One line of the delivery log: one delivery attempt for one recipient. The log is append-only
 * JSON lines; analytics (`mailstead log`) and the admin UI read it.
 */
export interface DeliveryRecord {
  /** ISO 8601 time of the attempt's outcome. */
  time: string;
  queueId: string;
  messageId: string | null;
  sender: string;
  recipient: string;
  /** local: into a mailbox here; remote: handed to another MTA. */
  kind: 'local' | 'remote';
  result: 'success' | 'deferral' | 'failure';
  /** The remote reply or the local reason, e.g. `250 2.0.0 Ok` or `452 4.2.2 quota exceeded`. */
  reply: string;
  /** The remote host that answered, for remote attempts. */
  relay?: string;
  size: number;
  clientIp: string | null;
  authUser: string | null;
  source: 'smtp' | 'submission' | 'webmail' | 'local';
  /** Seconds since the message was queued. */
  delay?: number;
  attempt?: number;
}
