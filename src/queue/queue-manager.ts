import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { DeliveryLog } from '../log/delivery-log.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RecipientOutcome } from '../store/queue/queue-repo.js';
import type { Queue } from './queue.js';
import { nextRetry } from './retry.js';
import type { Deliverer, DeliveryResult, DueRecipient } from './types.js';

/** Looks again for due work this often even when nothing woke the manager (CLI retries, deferred mail). */
const IDLE_POLL_MS = 1000;

/**
 * The queue manager (Postfix's qmgr): picks due recipients and runs at most `queue.concurrency`
 * deliveries at once. Retries of deferred mail may use only `queue.retry_share` percent of the
 * slots and are picked first within that share, so neither a deferred backlog starves new mail
 * nor a flood of new mail starves retries. A recipient stays excluded from picking until its
 * outcome is committed; after a crash its row is still due and is delivered again, which local
 * delivery makes harmless (idempotent on queue id + mailbox).
 */
export class QueueManager {
  private active = 0;
  private activeRetries = 0;
  /** Rows being delivered or whose outcome is not yet committed. */
  private readonly busy = new Set<number>();
  private pumping = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private idleWaiters: (() => void)[] = [];
  private readonly onQueued = () => this.wake();

  constructor(
    private readonly queue: Queue,
    private readonly deliverers: { local: Deliverer; remote: Deliverer },
    private readonly config: Config,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly deliveryLog: DeliveryLog,
    private readonly clock: Clock,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.queue.on('queued', this.onQueued);
    this.timer = setInterval(() => this.wake(), IDLE_POLL_MS);
    this.timer.unref();
    this.wake();
  }

  /** Stops picking new work and waits for deliveries in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.off('queued', this.onQueued);
    clearInterval(this.timer);
    await this.idle();
  }

  /** Resolves when no delivery is running or waiting for its outcome to commit. */
  idle(): Promise<void> {
    if (this.busy.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        const concurrency = this.config.get<number>('queue.concurrency');
        const retryCap = Math.max(
          1,
          Math.floor((concurrency * this.config.get<number>('queue.retry_share')) / 100),
        );
        const now = this.clock.now();
        const retryFree = Math.min(concurrency - this.active, retryCap - this.activeRetries);
        if (retryFree > 0)
          for (const r of await this.queue.repo.due('deferred', now, retryFree, this.busy))
            this.launch(r, true);
        const free = concurrency - this.active;
        if (free > 0)
          for (const r of await this.queue.repo.due('queued', now, free, this.busy)) this.launch(r, false);
      } while (this.again && !this.stopped);
    } catch (e) {
      this.log.error(
        { event: 'queue_pick_failed', err: (e as Error).message },
        'queue manager could not read the queue',
      );
    } finally {
      this.pumping = false;
    }
  }

  private launch(r: DueRecipient, retry: boolean): void {
    this.busy.add(r.id);
    this.active++;
    if (retry) this.activeRetries++;
    void this.attempt(r).finally(() => {
      this.active--;
      if (retry) this.activeRetries--;
      this.wake();
    });
  }

  private async attempt(r: DueRecipient): Promise<void> {
    let result: DeliveryResult;
    try {
      result = await this.deliverers[r.kind].deliver(r);
    } catch (e) {
      this.log.error(
        { event: 'delivery_error', queueId: r.queueId, recipient: r.recipient, err: (e as Error).message },
        'delivery failed unexpectedly',
      );
      result = { state: 'deferred', reply: '451 4.3.0 Temporary local problem' };
    }
    const outcome = this.outcome(r, result);
    this.writeLog(r, outcome);
    this.metrics
      .counter('mailstead_queue_attempts_total', 'Delivery attempts by kind and result', ['kind', 'result'])
      .inc({ kind: r.kind, result: outcome.result });
    // The slot is free once the attempt is over; the row stays excluded until its outcome is stored.
    void this.queue
      .record(outcome)
      .catch((e) =>
        this.log.error(
          { event: 'queue_update_failed', queueId: r.queueId, err: (e as Error).message },
          'could not store a delivery outcome; it will be retried',
        ),
      )
      .finally(() => {
        this.busy.delete(r.id);
        if (this.busy.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
  }

  private outcome(r: DueRecipient, res: DeliveryResult): RecipientOutcome {
    const base = {
      rowId: r.id,
      queueId: r.queueId,
      recipient: r.recipient,
      reply: res.reply,
      orcpt: r.orcpt,
    };
    const notify = (r.notify ?? '').toUpperCase();
    // RFC 3461: without NOTIFY a failure is reported; NEVER silences everything; SUCCESS asks for delivery reports.
    const failed = {
      ...base,
      state: 'bounced' as const,
      result: 'failure' as const,
      ...(notify.includes('NEVER') ? {} : { notice: 'failed' as const }),
    };
    switch (res.state) {
      case 'delivered':
        return {
          ...base,
          state: 'delivered',
          result: 'success',
          ...(notify.includes('SUCCESS') ? { notice: 'delivered' as const } : {}),
        };
      case 'expanded':
        return { ...base, state: 'delivered', result: 'expanded', children: res.children };
      case 'bounced':
        return failed;
      case 'held':
        return { ...base, state: 'held', result: 'deferral' };
      case 'deferred': {
        const next = nextRetry(
          this.config,
          r.attempts + 1,
          r.message.receivedAt,
          this.clock.now(),
          r.message.sender === '',
        );
        if (next.bounce)
          return {
            ...failed,
            reply: `${res.reply} (gave up after ${r.message.sender === '' ? 'queue.bounce_queue_lifetime' : 'queue.maximal_queue_lifetime'})`,
          };
        return { ...base, state: 'deferred', result: 'deferral', nextAttempt: next.at };
      }
    }
  }

  private writeLog(r: DueRecipient, o: RecipientOutcome): void {
    if (o.result === 'expanded') return;
    const m = r.message;
    this.deliveryLog.write({
      time: new Date(this.clock.now()).toISOString(),
      queueId: r.queueId,
      messageId: m.messageId,
      sender: m.sender,
      recipient: r.recipient,
      kind: r.kind,
      result: o.result,
      reply: o.reply,
      size: m.size,
      clientIp: m.clientIp,
      authUser: m.authUser,
      source: m.source as 'smtp' | 'submission' | 'webmail' | 'local',
      delay: Math.round((this.clock.now() - m.receivedAt) / 100) / 10,
      attempt: r.attempts + 1,
    });
  }
}
