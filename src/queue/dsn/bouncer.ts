import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import type { NewMessage, Notice, QueueRepo, RecipientKind } from '../../store/queue/queue-repo.js';
import type { SqlDb } from '../../store/sql.js';
import { domainOf } from '../address-domain.js';
import { buildDsn, statusOf, type DsnRecipient } from './dsn-message.js';

const POLL_MS = 1000;
const BATCH = 50;

function remoteMtaOf(reply: string): string | null {
  return /^([a-z0-9.-]+)\[[0-9a-f:.]+\](?::\d+)? said:/i.exec(reply)?.[1] ?? null;
}

/**
 * Sends the delivery status notifications the queue owes (RFC 3461/3464): failures, delays and,
 * when asked, successes. A notice is stored in the same transaction as the outcome that caused
 * it; here the DSN is queued and the notice deleted in one transaction, so a crash neither loses
 * nor repeats a bounce. A bounce that itself fails is a double bounce: it goes to the
 * postmaster (or is dropped, per bounce.double_bounce); a failed double bounce is dropped.
 */
export class Bouncer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      db: SqlDb;
      repo: QueueRepo;
      blobs: BlobStore;
      config: Config;
      log: Logger;
      metrics: Metrics;
      clock: Clock;
      kindOf: (address: string) => Promise<RecipientKind>;
      /** Called after DSNs were queued, to wake the queue manager. */
      queued: () => void;
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
  }

  wake(): void {
    this.running ??= this.run()
      .then(() => undefined)
      .catch((e) =>
        this.deps.log.error(
          { event: 'bounce_failed', err: (e as Error).message },
          'could not send delivery status notifications; will retry',
        ),
      )
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private hostname(): string {
    return this.deps.config.get<string>('server.hostname');
  }

  private bounceFrom(): string {
    const s = this.deps.config.get<string>('bounce.sender');
    return s.includes('@') ? s : `${s}@${this.hostname()}`;
  }

  private postmaster(): string {
    return this.deps.config.get<string>('bounce.postmaster') || `postmaster@${this.hostname()}`;
  }

  /** One pass: delay warnings due, then every pending notice. Returns how many DSNs were queued. */
  async run(): Promise<number> {
    const { config, repo, clock } = this.deps;
    const delay = config.get<number>('queue.delay_warning_time');
    if (delay > 0) await repo.markDelayed(clock.now() - delay, clock.now());
    let sent = 0;
    for (;;) {
      const ids = await repo.noticeQueueIds(BATCH);
      if (!ids.length) break;
      for (const id of ids) sent += await this.notify(id);
      if (ids.length < BATCH) break;
    }
    if (sent) this.deps.queued();
    return sent;
  }

  private async notify(queueId: string): Promise<number> {
    const { db, repo, blobs, config, log, clock, metrics } = this.deps;
    const found = await repo.message(queueId);
    const notices = await repo.notices(db, queueId);
    const done = (tx: SqlDb) =>
      repo
        .deleteNotices(
          tx,
          notices.map((n) => n.id),
        )
        .then(() => repo.removeIfFinished(tx, queueId));
    if (!found) {
      await db.tx(done);
      return 0;
    }
    const m = found.message;
    let to = m.sender;
    if (to === '') {
      const postmaster = this.postmaster();
      const failed = notices.filter((n) => n.action === 'failed');
      // Only failures of bounces matter; a double bounce that fails too is dropped, never looped.
      const drop =
        !failed.length ||
        config.get<string>('bounce.double_bounce') === 'drop' ||
        failed.some((n) => n.recipient.toLowerCase() === postmaster.toLowerCase());
      if (drop) {
        log.warn(
          { event: 'double_bounce_dropped', queueId, recipients: failed.map((n) => n.recipient) },
          'undeliverable bounce dropped',
        );
        await db.tx(done);
        return 0;
      }
      to = postmaster;
    }
    const original = Buffer.concat([
      Buffer.from(m.trace, 'latin1'),
      await blobs.get(m.blobHash, m.blobVolume || undefined),
    ]);
    const headersOnly = m.dsnRet
      ? m.dsnRet.toUpperCase() === 'HDRS'
      : config.get<string>('bounce.include_original') === 'headers';
    const kind = await this.deps.kindOf(to);
    const byAction = new Map<Notice['action'], Notice[]>();
    for (const n of notices) byAction.set(n.action, [...(byAction.get(n.action) ?? []), n]);
    const now = clock.now();
    const messages: NewMessage[] = [];
    for (const [action, list] of byAction) {
      const recipients: DsnRecipient[] = list.map((n) => ({
        finalRecipient: n.recipient,
        originalRecipient: n.orcpt,
        action,
        status: action === 'delivered' ? '2.0.0' : statusOf(n.reply, action === 'failed' ? 5 : 4),
        diagnostic: n.reply,
        remoteMta: remoteMtaOf(n.reply),
        lastAttempt: n.time,
        ...(action === 'delayed'
          ? { willRetryUntil: m.receivedAt + config.get<number>('queue.maximal_queue_lifetime') }
          : {}),
      }));
      const id = newId(now);
      const dsn = buildDsn({
        reportingMta: this.hostname(),
        from: this.bounceFrom(),
        to,
        queueId,
        envid: m.dsnEnvid,
        arrivalDate: m.receivedAt,
        headersOnly,
        original,
        recipients,
        now,
      });
      const blob = await blobs.put(dsn);
      messages.push({
        id,
        sender: '',
        blob,
        trace: `Received: by ${this.hostname()} (Mailstead) id ${id}; ${new Date(now).toUTCString().replace('GMT', '+0000')}\r\n`,
        messageId: null,
        subject: null,
        clientIp: null,
        clientName: null,
        helo: null,
        authUser: null,
        source: 'local',
        dsnRet: null,
        dsnEnvid: null,
        receivedAt: now,
        recipients: [{ address: to, domain: domainOf(to), kind, state: 'queued' as const, nextAttempt: now }],
      });
    }
    await db.tx(async (tx) => {
      await repo.insertMessages(tx, messages);
      await done(tx);
    });
    metrics
      .counter('mailstead_dsn_sent_total', 'Delivery status notifications queued, by action', ['action'])
      .inc(messages.length);
    log.info({
      event: 'dsn_queued',
      queueId,
      to,
      actions: [...byAction.keys()],
      dsnIds: messages.map((x) => x.id),
    });
    return messages.length;
  }
}
