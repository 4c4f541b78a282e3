import type { DeliveryRecord } from '../../log/delivery-record.js';
import type { TimeRange } from './time-expression.js';

/** Local deliveries (into mailboxes here), remote ones (handed to other servers), or both. */
export type Flavour = 'local' | 'remote' | 'both';
export type DeliveryResult = DeliveryRecord['result'];

/**
 * Filters, all optional and combinable. `user` and `domain` select what a local account owns:
 * mail it submitted (its authUser) and mail delivered into its mailbox (a local recipient).
 */
export interface LogFilters {
  sender?: string;
  recipient?: string;
  user?: string;
  domain?: string;
  webmailOnly?: boolean;
  flavour?: Flavour;
}

export type TopSubject = 'senders' | 'recipients' | 'deferrals' | 'failures';
export type StatsSubject = 'users' | 'domains';

export interface TableQuery {
  range: TimeRange;
  filters?: LogFilters;
  /** Any column of the report; the report's main count when absent (then highest first). */
  sort?: string;
  descending?: boolean;
  /** Rows returned; 0 for all. */
  limit?: number;
}

export interface ShowQuery {
  range: TimeRange;
  filters?: LogFilters;
  /** Only attempts with this outcome; all when absent. */
  result?: DeliveryResult;
  /** Stop after this many records (oldest first); 0 for all. */
  limit?: number;
}

/** What every answer carries: the range answered and, if it reaches past the logs kept, why it is short. */
export interface AnswerMeta {
  range: TimeRange;
  warning?: string;
}

export interface LogTable extends AnswerMeta {
  columns: string[];
  rows: Record<string, string | number>[];
}

export interface LogListing extends AnswerMeta {
  records: DeliveryRecord[];
  /** True when `limit` cut the listing short. */
  truncated: boolean;
}
