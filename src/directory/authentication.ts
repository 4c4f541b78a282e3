import type { Counter } from 'prom-client';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { passwordHash } from '../store/directory/account-repo.js';
import type { SqlDb } from '../store/sql.js';
import type { Accounts } from './accounts.js';
import { AuthError, AuthLockedError, type AuthFailureReason } from './auth-error.js';
import { FailureThrottle, type ThrottleSettings } from './auth-throttle.js';
import { decoyHash, verifyPassword } from './password.js';
import type { Account, AuthContext } from './types.js';

/**
 * Password logins with throttling per client IP and per account name. The account key is the
 * canonical address, or the name as typed when no account has it, so a name being guessed
 * stays locked when the CLI creates it meanwhile. A success clears the account's back-off but
 * not the IP's, so one valid login cannot cover guessing at other accounts.
 */
export class Authenticator {
  private readonly byIp: FailureThrottle;
  private readonly byAccount: FailureThrottle;
  private readonly failures: Counter;

  constructor(
    private readonly db: SqlDb,
    config: Config,
    private readonly log: Logger,
    metrics: Metrics,
    private readonly accounts: Accounts,
    clock: Clock,
  ) {
    const settings = (maxKey: string) => (): ThrottleSettings => ({
      maxFailures: config.get<number>(maxKey),
      window: config.get<number>('auth.failure_window'),
      lockout: config.get<number>('auth.lockout_time'),
      maxLockout: config.get<number>('auth.max_lockout_time'),
    });
    this.byIp = new FailureThrottle(settings('auth.ip_max_failures'), clock);
    this.byAccount = new FailureThrottle(settings('auth.account_max_failures'), clock);
    this.failures = metrics.counter(
      'mailstead_auth_failures_total',
      'Failed logins, by protocol and reason.',
      ['protocol', 'reason'],
    );
  }

  async authenticate(username: string, password: string, ctx: AuthContext): Promise<Account> {
    const account = await this.accounts.find(username);
    const key = account?.address ?? username.trim().toLowerCase();
    const locked = Math.max(ctx.ip === null ? 0 : this.byIp.lockedFor(ctx.ip), this.byAccount.lockedFor(key));
    if (locked > 0) {
      this.logFailure(username, ctx, 'locked-out');
      throw new AuthLockedError(locked);
    }
    const reason = await this.check(account, password);
    if (!reason) {
      this.byAccount.succeed(key);
      return account!;
    }
    this.logFailure(username, ctx, reason);
    this.lockoutStarted('account', key, this.byAccount.fail(key));
    if (ctx.ip !== null) this.lockoutStarted('ip', ctx.ip, this.byIp.fail(ctx.ip));
    throw new AuthError(reason);
  }

  private async check(
    account: Account | undefined,
    password: string,
  ): Promise<AuthFailureReason | undefined> {
    if (!account) {
      // Costs as much as a real check, so timing does not tell which names exist.
      await verifyPassword(password, await decoyHash());
      return 'unknown-user';
    }
    const hash = await passwordHash(this.db, account.id);
    if (!hash || !(await verifyPassword(password, hash))) return 'bad-password';
    return account.enabled ? undefined : 'disabled';
  }

  private logFailure(user: string, ctx: AuthContext, reason: AuthFailureReason): void {
    this.failures.inc({ protocol: ctx.protocol, reason });
    this.log.warn(
      { event: 'auth_failed', user, ip: ctx.ip, protocol: ctx.protocol, reason },
      `failed login for ${user} from ${ctx.ip ?? 'local'} (${reason})`,
    );
  }

  private lockoutStarted(kind: 'ip' | 'account', key: string, ms: number): void {
    if (ms > 0)
      this.log.warn(
        { event: 'auth_lockout', kind, key, ms },
        `${kind} ${key} locked out for ${Math.round(ms / 1000)}s after repeated failed logins`,
      );
  }
}
