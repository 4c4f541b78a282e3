import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { DeliveryLog } from '../log/delivery-log.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { DueCursor, RecipientOutcome } from '../store/queue/queue-repo.js';
import type { Queue } from './queue.js';
import { nextRetry } from './retry.js';
import type { Deliverer, DeliveryResult, DueRecipient } from './types.js';

/**
 * Looks again for due work this often even when nothing woke the manager (CLI retries, deferred
 * mail), walking the due rows from their start.
 */
const IDLE_POLL_MS = 1000;
/** Most keys read per query while walking the due rows. */
const PICK_PAGE = 1000;
/** Keys read per wanted delivery by the first query of a walk; later queries read twice as many. */
const KEYS_PER_UNIT = 16;
/**
 * Outcomes waiting for their commit, in `queue.commit_batch`es, past which nothing new is picked.
 * Deliveries that end at once (deferrals to a dead destination) would otherwise outrun the
 * commits, and every row waiting for one is walked over by each pick.
 */
const UNCOMMITTED_BATCHES = 4;

type PickState = 'queued' | 'deferred';

/**
 * The queue manager (Postfix's qmgr): picks due recipients and runs at most `queue.concurrency`
 * deliveries at once. A delivery is one local recipient, or every due remote recipient of one
 * message: the remote deliverer sends those with one destination in shared SMTP transactions,
 * and their outcomes are committed together. Retries of deferred mail may use only
 * `queue.retry_share` percent of the slots and are picked first within that share, so neither a
 * deferred backlog starves new mail nor a flood of new mail starves retries. A recipient stays
 * excluded from picking until its outcome is committed; after a crash its row is still due and is
 * delivered again, which local delivery makes harmless (idempotent on queue id + mailbox).
 */
export class QueueManager {
  private active = 0;
  private activeRetries = 0;
  /** Rows being delivered or whose outcome is not yet committed. */
  private readonly busy = new Set<number>();
  /**
   * Per state, the last due row the walk passed: every due row before it was busy or picked.
   * Picking goes on from there instead of reading the rows in flight again; rows that may land
   * behind it (new recipients of an expansion, a CLI retry, an outcome that failed to commit)
   * are found by `rescan`, which the idle poll also runs.
   */
  private readonly cursors: Record<PickState, DueCursor | undefined> = {
    queued: undefined,
    deferred: undefined,
  };
  /** Outcomes reported and not yet committed. */
  private uncommitted = 0;
  /** Attempts of `deliverNow` in progress. */
  private atOnce = 0;
  private pumping = false;
  private scheduled = false;
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
    this.timer = setInterval(() => this.rescan(), IDLE_POLL_MS);
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
    if (this.busy.size === 0 && this.atOnce === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * One attempt for a local recipient of a message that is not in the queue (SMTP intake's
   * `queue.deliver_at_once`): true, logged and counted like any attempt, once it is durable in
   * the mailbox; false when the message must be queued instead. Such an attempt stored nothing
   * the queue's own attempt would store again: local delivery is idempotent on queue id +
   * mailbox, and the queue id is the same.
   */
  async deliverNow(r: DueRecipient): Promise<boolean> {
    if (this.stopped) return false;
    this.atOnce++;
    try {
      const started = this.clock.now();
      const res = await this.deliverers.local.deliver(r).catch((e: unknown) => {
        this.log.warn(
          { event: 'delivery_error', queueId: r.queueId, recipient: r.recipient, err: (e as Error).message },
          'delivery at once failed unexpectedly; the message is queued',
        );
        return undefined;
      });
      if (res?.state !== 'delivered') return false;
      this.account(r, this.outcome(r, res, started));
      return true;
    } finally {
      this.atOnce--;
      this.settled();
    }
  }

  /**
   * Picks work in the next turn of the event loop. Never at once: a delivery that needs no I/O
   * (a deferral to a dead destination) would start the next one in the same turn, and a large
   * backlog would then keep sockets from being served until it is done.
   */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  /** Walks the due rows from their start at the next pick (rows may have become due behind the walk), and wakes. */
  rescan(): void {
    this.cursors.queued = undefined;
    this.cursors.deferred = undefined;
    this.wake();
  }

  private async pump(): Promise<void> {
    if (this.stopped) return;
    this.pumping = true;
    this.again = false;
    try {
      if (this.uncommitted >= UNCOMMITTED_BATCHES * this.config.get<number>('queue.commit_batch')) return;
      const concurrency = this.config.get<number>('queue.concurrency');
      const retryCap = Math.max(
        1,
        Math.floor((concurrency * this.config.get<number>('queue.retry_share')) / 100),
      );
      const now = this.clock.now();
      const retryFree = Math.min(concurrency - this.active, retryCap - this.activeRetries);
      if (retryFree > 0)
        for (const unit of await this.pick('deferred', now, retryFree)) this.launch(unit, true);
      const free = concurrency - this.active;
      if (free > 0) for (const unit of await this.pick('queued', now, free)) this.launch(unit, false);
    } catch (e) {
      this.log.error(
        { event: 'queue_pick_failed', err: (e as Error).message },
        'queue manager could not read the queue',
      );
    } finally {
      this.pumping = false;
      // Woken while picking: pick again, in a later turn.
      if (this.again) this.wake();
    }
  }

  /** Up to `units` deliveries of rows in `state`, earliest due first. */
  private async pick(state: PickState, now: number, units: number): Promise<DueRecipient[][]> {
    const local: number[] = [];
    const remoteOf = new Set<string>();
    let cursor = this.cursors[state];
    // A remote message has many rows; a few picks need only a few keys, a large pick more.
    let page = Math.min(PICK_PAGE, units * KEYS_PER_UNIT);
    walk: for (; ; page = Math.min(PICK_PAGE, page * 2)) {
      const keys = await this.queue.repo.dueKeys(state, now, cursor, page);
      for (const k of keys) {
        const taken = this.busy.has(k.id) || (k.kind === 'remote' && remoteOf.has(k.queueId));
        if (!taken) {
          if (local.length + remoteOf.size >= units) break walk;
          if (k.kind === 'remote') remoteOf.add(k.queueId);
          else local.push(k.id);
        }
        cursor = { nextAttempt: k.nextAttempt, id: k.id };
      }
      if (keys.length < page) break;
    }
    this.cursors[state] = cursor;
    if (!local.length && !remoteOf.size) return [];
    const rows = await this.queue.repo.dueRecipients(state, now, { ids: local, remoteOf: [...remoteOf] });
    const out: DueRecipient[][] = [];
    const byMessage = new Map<string, DueRecipient[]>();
    for (const r of rows) {
      if (this.busy.has(r.id)) continue;
      if (r.kind === 'local') {
        out.push([r]);
        continue;
      }
      const unit = byMessage.get(r.queueId);
      if (unit) unit.push(r);
      else {
        const fresh = [r];
        byMessage.set(r.queueId, fresh);
        out.push(fresh);
      }
    }
    return out;
  }

  private launch(unit: DueRecipient[], retry: boolean): void {
    for (const r of unit) this.busy.add(r.id);
    this.active++;
    if (retry) this.activeRetries++;
    void this.attempt(unit).finally(() => {
      this.active--;
      if (retry) this.activeRetries--;
      this.wake();
    });
  }

  /** Delivers one unit; each recipient's outcome is recorded as soon as the deliverer reports it. */
  private async attempt(unit: DueRecipient[]): Promise<void> {
    const deliverer = this.deliverers[unit[0]!.kind];
    const open = new Set(unit);
    // One time for the unit, so its deferred recipients share a next attempt (and one UPDATE).
    const started = this.clock.now();
    const report = (r: DueRecipient, res: DeliveryResult) => {
      if (open.delete(r)) this.finish(r, res, started);
    };
    const failed = (r: DueRecipient | undefined, e: unknown) =>
      this.log.error(
        {
          event: 'delivery_error',
          queueId: unit[0]!.queueId,
          recipient: r?.recipient,
          recipients: r ? 1 : open.size,
          err: (e as Error).message,
        },
        'delivery failed unexpectedly',
      );
    try {
      if (deliverer.deliverMany) await deliverer.deliverMany(unit, report);
      else
        await Promise.all(
          unit.map((r) =>
            deliverer.deliver(r).then(
              (res) => report(r, res),
              (e: unknown) => failed(r, e),
            ),
          ),
        );
    } catch (e) {
      failed(undefined, e);
    }
    for (const r of open) report(r, { state: 'deferred', reply: '451 4.3.0 Temporary local problem' });
  }

  private finish(r: DueRecipient, result: DeliveryResult, started: number): void {
    const outcome = this.outcome(r, result, started);
    this.account(r, outcome);
    // The slot is free once the attempt is over; the row stays excluded until its outcome is stored.
    this.uncommitted++;
    void this.queue
      .record(outcome)
      .then(
        // New recipients of an expansion are due at once, behind the walk.
        () => outcome.children?.length && this.rescan(),
        (e: unknown) => {
          this.log.error(
            { event: 'queue_update_failed', queueId: r.queueId, err: (e as Error).message },
            'could not store a delivery outcome; it will be retried',
          );
          this.rescan();
        },
      )
      .finally(() => {
        this.uncommitted--;
        this.wake();
        this.busy.delete(r.id);
        this.settled();
      });
  }

  /** The delivery log line and the attempt counter of an outcome. */
  private account(r: DueRecipient, outcome: RecipientOutcome): void {
    this.writeLog(r, outcome);
    this.metrics
      .counter('mailstead_queue_attempts_total', 'Delivery attempts by kind and result', ['kind', 'result'])
      .inc({ kind: r.kind, result: outcome.result });
  }

  private settled(): void {
    if (this.busy.size === 0 && this.atOnce === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private outcome(r: DueRecipient, res: DeliveryResult, started: number): RecipientOutcome {
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
          ...(asksForDeliveryReport(r.notify) ? { notice: 'delivered' as const } : {}),
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
          started,
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

/** NOTIFY=SUCCESS (RFC 3461): the sender asked to hear of a successful delivery. */
export function asksForDeliveryReport(notify: string | null | undefined): boolean {
  return (notify ?? '').toUpperCase().includes('SUCCESS');
}
