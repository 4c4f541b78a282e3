import { EventEmitter } from 'node:events';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { SqlDb } from '../store/sql.js';
import { QueueRepo, type NewMessage, type RecipientOutcome } from '../store/queue/queue-repo.js';
import { domainOf } from './address-domain.js';
import { GroupCommit } from '../core/group-commit.js';
import type { EnqueueRequest } from './types.js';

const OUTCOME_DELAY_MS = 50;

/**
 * The durable queue. `enqueue` resolves only once the message, its envelope and its blob
 * reference are committed; commits of concurrent sessions are grouped into one transaction.
 * Outcomes of delivery attempts are grouped the same way; they need not be durable before the
 * next step because every delivery is idempotent. Emits `queued` after each commit.
 */
export class Queue extends EventEmitter {
  readonly repo: QueueRepo;
  private readonly intake: GroupCommit<NewMessage>;
  private readonly outcomes: GroupCommit<RecipientOutcome>;

  constructor(
    private readonly db: SqlDb,
    config: Config,
    private readonly clock: Clock,
  ) {
    super();
    this.repo = new QueueRepo(db);
    const opts = {
      maxBatch: () => config.get<number>('queue.commit_batch'),
      delayMs: () => config.get<number>('queue.commit_delay'),
    };
    this.intake = new GroupCommit(async (msgs) => {
      await this.db.tx((tx) => this.repo.insertMessages(tx, msgs));
      this.emit('queued', msgs.length);
    }, opts);
    // Nobody waits for an outcome (deliveries are idempotent), so gather them longer into fewer
    // commits; once a full batch waits there is nothing left to gather.
    this.outcomes = new GroupCommit((items) => this.repo.applyOutcomes(items, this.clock.now()), {
      ...opts,
      delayMs: () =>
        this.outcomes.backlog >= opts.maxBatch() ? 0 : Math.max(OUTCOME_DELAY_MS, opts.delayMs()),
    });
  }

  async enqueue(req: EnqueueRequest): Promise<string> {
    const now = this.clock.now();
    const hold = req.holdReason ?? null;
    await this.intake.submit({
      id: req.queueId,
      blob: req.blob,
      ...messageFields(req, now),
      recipients: req.recipients.map((r) => ({
        address: r.address,
        domain: domainOf(r.address),
        kind: r.kind,
        orcpt: r.orcpt ?? null,
        notify: r.notify ?? null,
        state: hold ? 'held' : 'queued',
        reply: hold,
        nextAttempt: now,
      })),
    });
    return req.queueId;
  }

  /** Records an attempt's outcome; resolves when it is committed. */
  record(o: RecipientOutcome): Promise<void> {
    return this.outcomes.submit(o);
  }
}

/** What the queue keeps of a message besides its id, body and recipients. */
export function messageFields(req: EnqueueRequest, receivedAt: number) {
  return {
    sender: req.sender,
    trace: req.trace,
    messageId: req.messageId,
    subject: req.subject,
    clientIp: req.clientIp,
    clientName: req.clientName,
    helo: req.helo,
    authUser: req.authUser,
    source: req.source,
    dsnRet: req.dsnRet ?? null,
    dsnEnvid: req.dsnEnvid ?? null,
    receivedAt,
  };
}
