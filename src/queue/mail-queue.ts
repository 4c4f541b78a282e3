import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../core/clock.js';
import { archiveCopies } from '../delivery/local/archive-bcc.js';
import { LocalDelivery } from '../delivery/local/local-delivery.js';
import type { DeliveryDirectory, MailboxAppender, SieveRunner } from '../delivery/local/ports.js';
import type { DeliveryLog } from '../log/delivery-log.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { AccountGuard } from '../policy/account-guard.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { SqlDb } from '../store/sql.js';
import { messageFields, Queue } from './queue.js';
import { asksForDeliveryReport, QueueManager } from './queue-manager.js';
import { QueueService } from './queue-service.js';
import { Bouncer } from './dsn/bouncer.js';
import { domainOf } from './address-domain.js';
import type { Deliverer, DueRecipient, EnqueueRequest, EnvelopeRecipient } from './types.js';

export interface MailQueueDeps {
  db: SqlDb;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  metrics: Metrics;
  deliveryLog: DeliveryLog;
  directory: DeliveryDirectory;
  mailbox: MailboxAppender;
  /** Remote delivery; until it is built, remote recipients stay deferred and say so. */
  remote?: Deliverer;
  sieve?: SieveRunner;
  clock?: Clock;
}

const REMOTE_NOT_BUILT: Deliverer = {
  deliver: async () => ({
    state: 'deferred',
    reply: '451 4.4.0 Remote delivery is not built yet; the message waits in the queue',
  }),
};

/**
 * The mail system behind the SMTP server: the durable queue, the queue manager with local
 * delivery, the compromised-account guard, and the management API. `start` runs deliveries
 * (only the server does); `close` waits for those in progress.
 */
export class MailQueue {
  readonly queue: Queue;
  readonly manager: QueueManager;
  readonly admin: QueueService;
  readonly guard: AccountGuard;
  readonly bouncer: Bouncer;
  private readonly clock: Clock;

  constructor(private readonly deps: MailQueueDeps) {
    const clock = (this.clock = deps.clock ?? systemClock);
    this.queue = new Queue(deps.db, deps.config, clock);
    const local = new LocalDelivery(
      deps.directory,
      deps.mailbox,
      deps.blobs,
      deps.config,
      deps.log,
      deps.sieve,
    );
    this.manager = new QueueManager(
      this.queue,
      { local, remote: deps.remote ?? REMOTE_NOT_BUILT },
      deps.config,
      deps.log,
      deps.metrics,
      deps.deliveryLog,
      clock,
    );
    this.admin = new QueueService(this.queue.repo, deps.blobs, clock, (req) => this.enqueue(req));
    this.guard = new AccountGuard(this.queue.repo, deps.config, deps.log, deps.metrics, clock);
    this.bouncer = new Bouncer({
      db: deps.db,
      repo: this.queue.repo,
      blobs: deps.blobs,
      config: deps.config,
      log: deps.log,
      metrics: deps.metrics,
      clock,
      kindOf: async (address) =>
        (await deps.directory.resolveRecipient(address)).kind === 'remote' ? 'remote' : 'local',
      // A DSN is due from the moment it was written, which may be behind the manager's walk.
      queued: () => this.manager.rescan(),
    });
  }

  /** Queues a message with its archive copies (always_bcc, bcc maps); resolves once it is durable. */
  enqueue(req: EnqueueRequest): Promise<string> {
    return this.queue.enqueue({ ...req, recipients: this.withCopies(req) });
  }

  /**
   * A message SMTP intake has received: with `queue.deliver_at_once`, one for a single local
   * recipient is delivered now and resolves once it is durable in the mailbox, without a queue
   * entry; every other message, or one that could not be delivered now, is queued.
   */
  async accept(req: EnqueueRequest): Promise<string> {
    const recipients = this.withCopies(req);
    const only = recipients.length === 1 ? recipients[0]! : undefined;
    if (
      only?.kind === 'local' &&
      !req.holdReason &&
      // A delivery report is the bouncer's, from the queue's outcome.
      !asksForDeliveryReport(only.notify) &&
      this.deps.config.get<boolean>('queue.deliver_at_once') &&
      (await this.manager.deliverNow(dueAtOnce(req, only, this.clock.now())))
    )
      return req.queueId;
    return this.queue.enqueue({ ...req, recipients });
  }

  /** The recipients with the archive copies (always_bcc, bcc maps) the message owes. */
  private withCopies(req: EnqueueRequest): EnvelopeRecipient[] {
    const copies = archiveCopies(
      this.deps.config,
      req.sender,
      req.recipients.map((r) => r.address),
    );
    return copies.length
      ? [...req.recipients, ...copies.map((address) => ({ address, kind: 'local' as const }))]
      : req.recipients;
  }

  start(): void {
    this.manager.start();
    this.bouncer.start();
  }

  async close(): Promise<void> {
    await this.manager.stop();
    await this.bouncer.stop();
  }
}

/** A recipient of a message being received, as the queue would hand it to local delivery. */
function dueAtOnce(req: EnqueueRequest, r: EnvelopeRecipient, now: number): DueRecipient {
  return {
    id: 0,
    queueId: req.queueId,
    recipient: r.address,
    domain: domainOf(r.address),
    kind: 'local',
    accountId: null,
    orcpt: r.orcpt ?? null,
    notify: r.notify ?? null,
    state: 'queued',
    nextAttempt: now,
    attempts: 0,
    lastReply: null,
    updatedAt: now,
    message: {
      id: req.queueId,
      blobHash: req.blob.hash,
      blobVolume: '',
      size: req.blob.size,
      ...messageFields(req, now),
    },
  };
}
