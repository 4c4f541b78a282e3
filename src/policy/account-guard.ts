import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { RateCounter } from './rate-counter.js';

/** Where held accounts are remembered (the queue store), so a hold survives a restart. */
export interface HoldStore {
  holdAccount(account: string, reason: string, now: number): Promise<boolean>;
  heldAccounts(): Promise<{ account: string; reason: string }[]>;
}

const HOUR = 3_600_000;
/** Held accounts are re-read this often, so a release from the CLI applies without a restart. */
const REFRESH_MS = 5000;

/**
 * The compromised-account guard: counts each account's outgoing messages and recipients per
 * hour. An account over either limit is held: this message and every later one wait in the queue
 * as `held` until an administrator releases the account (`mailstead queue release --account`).
 * The hold is logged (event account_held) and counted in mailstead_account_held_total.
 */
export class AccountGuard {
  private readonly messages = new RateCounter(HOUR);
  private readonly recipients = new RateCounter(HOUR);
  private held = new Map<string, string>();
  private loadedAt = -Infinity;

  constructor(
    private readonly store: HoldStore,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  /** Counts one outgoing message; returns why it must be held, or null to let it go. */
  async check(account: string, recipientCount: number): Promise<string | null> {
    const now = this.clock.now();
    if (now - this.loadedAt > REFRESH_MS) {
      this.held = new Map((await this.store.heldAccounts()).map((h) => [h.account, h.reason]));
      this.loadedAt = now;
    }
    const already = this.held.get(account);
    if (already) return `account held: ${already}`;
    const maxMsgs = this.config.get<number>('smtp.account_max_messages_per_hour');
    const maxRcpts = this.config.get<number>('smtp.account_max_recipients_per_hour');
    const msgs = this.messages.hit(account, now);
    const rcpts = this.recipients.hit(account, now, recipientCount);
    let reason: string | null = null;
    if (maxMsgs > 0 && msgs > maxMsgs) reason = `sent more than ${maxMsgs} messages in an hour`;
    else if (maxRcpts > 0 && rcpts > maxRcpts) reason = `sent to more than ${maxRcpts} recipients in an hour`;
    if (!reason) return null;
    if (await this.store.holdAccount(account, reason, now)) {
      this.log.warn(
        { event: 'account_held', user: account, reason },
        `outgoing mail of ${account} is held: ${reason}; release with \`mailstead queue release --account ${account}\``,
      );
      this.metrics
        .counter(
          'mailstead_account_held_total',
          'Accounts whose outgoing mail was held by the compromised-account guard',
        )
        .inc();
    }
    this.held.set(account, reason);
    return `account held: ${reason}`;
  }

  /** Forgets the cached holds so a release applies at once. */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }
}
