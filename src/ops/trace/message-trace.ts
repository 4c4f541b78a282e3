import { idTime } from '../../core/ids.js';
import type { DeliveryRecord } from '../../log/delivery-record.js';
import type { QueueService } from '../../queue/queue-service.js';
import type { SpamHit } from '../../scan/spam/engine.js';
import type { SpamVerdictRepo, VirusResult } from '../../store/spam/verdict-repo.js';
import type { DeliveryLogQuery } from '../log/delivery-log-query.js';
import type { TimeRange } from '../log/time-expression.js';

export type TraceStage = 'received' | 'scanned' | 'delivered' | 'deferred' | 'bounced' | 'waiting';

export interface TraceEvent {
  time: number;
  stage: TraceStage;
  recipient: string | null;
  detail: string;
}

export interface TracedMessage {
  queueId: string;
  messageId: string | null;
  sender: string;
  subject: string | null;
  receivedAt: number;
  /** Still in the queue (some recipient not yet final). */
  queued: boolean;
  spam: { score: number; required: number; action: string; hits: SpamHit[] } | null;
  /**
   * The virus stage's result (clean, or unavailable when clamd did not answer and fail-open let
   * the message through); null when it is not known: scanning off, or no verdict was recorded.
   */
  virus: VirusResult;
  events: TraceEvent[];
}

export interface TraceQuery {
  queueId?: string;
  messageId?: string;
  sender?: string;
  recipient?: string;
  /** Only mail of this local domain (a domain admin's view); queue-only messages are left out. */
  domain?: string;
  range: TimeRange;
}

/** Most messages one trace answers (a sender+recipient pair can match many). */
const MAX_MESSAGES = 20;
/** Most log records read for one trace. */
const MAX_RECORDS = 20_000;
/** How far before a queue id's own time its log lines are looked for (clock skew between writers). */
const SLACK_MS = 60_000;

const STAGE: Record<DeliveryRecord['result'], TraceStage> = {
  success: 'delivered',
  deferral: 'deferred',
  failure: 'bounced',
};

/**
 * One message followed through the server: received (from the queue or the log's delay), the
 * spam verdict with its rule hits, every delivery attempt from the delivery log, and what is
 * still waiting in the queue. Built from the services that own each part; it stores nothing.
 */
export class MessageTrace {
  constructor(
    private readonly deps: {
      queue: QueueService;
      log: () => DeliveryLogQuery;
      verdicts: SpamVerdictRepo;
    },
  ) {}

  async find(q: TraceQuery): Promise<{ messages: TracedMessage[]; truncated: boolean }> {
    const born = q.queueId ? idTime(q.queueId) : undefined;
    const range = born === undefined ? q.range : { from: born - SLACK_MS, to: Math.max(q.range.to, born) };
    const listing = this.deps.log().show({
      range,
      filters: { sender: q.sender, recipient: q.recipient, domain: q.domain, flavour: 'both' },
      limit: MAX_RECORDS,
    });
    const byId = new Map<string, DeliveryRecord[]>();
    for (const r of listing.records) {
      if (q.queueId && r.queueId !== q.queueId) continue;
      if (q.messageId && r.messageId !== q.messageId) continue;
      byId.set(r.queueId, [...(byId.get(r.queueId) ?? []), r]);
    }
    // A message not yet in the log (waiting for its first attempt) is found in the queue, for
    // a server-wide view only: the queue does not know which domain admin may see it.
    if (q.queueId && !byId.has(q.queueId) && q.domain === undefined) byId.set(q.queueId, []);
    const ids = [...byId.keys()].slice(-MAX_MESSAGES);
    const messages: TracedMessage[] = [];
    for (const id of ids) {
      const m = await this.trace(id, byId.get(id)!);
      if (m) messages.push(m);
    }
    return { messages, truncated: listing.truncated || byId.size > MAX_MESSAGES };
  }

  private async trace(queueId: string, records: DeliveryRecord[]): Promise<TracedMessage | undefined> {
    const detail = await this.deps.queue.show(queueId).catch(() => undefined);
    const first = records[0];
    if (!detail && !first) return undefined;
    const verdict = (await this.deps.verdicts.get(queueId)) ?? null;
    const receivedAt =
      detail?.message.receivedAt ??
      Math.min(...records.map((r) => Date.parse(r.time) - Math.round((r.delay ?? 0) * 1000)));
    const m = detail?.message;
    const events: TraceEvent[] = [
      {
        time: receivedAt,
        stage: 'received',
        recipient: null,
        detail: `from <${m?.sender ?? first!.sender}> by ${m?.source ?? first!.source}${
          (m?.clientIp ?? first?.clientIp) ? ` from [${m?.clientIp ?? first?.clientIp}]` : ''
        }${(m?.authUser ?? first?.authUser) ? ` as ${m?.authUser ?? first?.authUser}` : ''}, ${m?.size ?? first!.size} bytes`,
      },
    ];
    if (verdict)
      events.push({
        time: verdict.createdAt,
        stage: 'scanned',
        recipient: null,
        detail: `spam score ${verdict.score.toFixed(1)} of ${verdict.required.toFixed(1)} required: ${verdict.action}${
          verdict.virus === 'clean'
            ? '; virus scan: clean'
            : verdict.virus === 'unavailable'
              ? '; virus scan: not done, clamd unavailable (accepted by antivirus.fail_open)'
              : ''
        }`,
      });
    for (const r of records)
      events.push({
        time: Date.parse(r.time),
        stage: STAGE[r.result],
        recipient: r.recipient,
        detail: `${r.reply}${r.relay ? ` (${r.relay})` : ''}${r.attempt ? `, attempt ${r.attempt}` : ''}`,
      });
    // The log is written before the queue row is updated: a final line wins over a stale state.
    const done = new Set(records.filter((r) => r.result !== 'deferral').map((r) => r.recipient));
    for (const r of detail?.recipients ?? [])
      if ((r.state === 'queued' || r.state === 'deferred' || r.state === 'held') && !done.has(r.recipient))
        events.push({
          time: r.updatedAt,
          stage: 'waiting',
          recipient: r.recipient,
          detail: `${r.state}${r.state === 'deferred' ? `, next attempt ${new Date(r.nextAttempt).toISOString()}` : ''}${
            r.lastReply ? `: ${r.lastReply}` : ''
          }`,
        });
    // Received heads the story even though the queue stamps it after the scan that ran during DATA.
    events.sort((a, b) => (a.stage === 'received' ? -1 : b.stage === 'received' ? 1 : a.time - b.time));
    return {
      queueId,
      messageId: m?.messageId ?? first?.messageId ?? verdict?.messageId ?? null,
      sender: m?.sender ?? first!.sender,
      subject: m?.subject ?? null,
      receivedAt,
      queued: events.some((e) => e.stage === 'waiting'),
      spam: verdict && {
        score: verdict.score,
        required: verdict.required,
        action: verdict.action,
        hits: verdict.hits,
      },
      virus: verdict?.virus ?? null,
      events,
    };
  }
}
