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
import { Queue } from './queue.js';
import { QueueManager } from './queue-manager.js';
import { QueueService } from './queue-service.js';
import { Bouncer } from './dsn/bouncer.js';
import type { Deliverer, EnqueueRequest } from './types.js';

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

  constructor(private readonly deps: MailQueueDeps) {
    const clock = deps.clock ?? systemClock;
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
  async enqueue(req: EnqueueRequest): Promise<string> {
    const copies = archiveCopies(
      this.deps.config,
      req.sender,
      req.recipients.map((r) => r.address),
    );
    const recipients = copies.length
      ? [...req.recipients, ...copies.map((address) => ({ address, kind: 'local' as const }))]
      : req.recipients;
    return this.queue.enqueue({ ...req, recipients });
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
