import type { Counter } from 'prom-client';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { createHmac, randomBytes } from 'node:crypto';
import {
  passwordHash,
  scramCredential,
  setScramCredentials,
  type ScramCredential,
} from '../store/directory/account-repo.js';
import type { SqlDb } from '../store/sql.js';
import type { Accounts } from './accounts.js';
import { AuthError, AuthLockedError, type AuthFailureReason } from './auth-error.js';
import { FailureThrottle, type ThrottleSettings } from './auth-throttle.js';
import { decoyHash, verifyPassword } from './password.js';
import { SCRAM_ITERATIONS, scramCredentials, type ScramServer } from './scram.js';
import type { Account, AuthContext } from './types.js';
import { VerifiedLogins } from './verified-logins.js';

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
  private readonly verified: VerifiedLogins;
  private readonly cacheLookups: Counter;

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
    this.verified = new VerifiedLogins(() => config.get<number>('auth.cache_ttl'), clock);
    this.cacheLookups = metrics.counter(
      'mailstead_auth_cache_total',
      'Correct passwords, by whether a recent verification spared the hash check (hit) or not (miss).',
      ['result'],
    );
    this.failures = metrics.counter(
      'mailstead_auth_failures_total',
      'Failed logins, by protocol and reason.',
      ['protocol', 'reason'],
    );
  }

  /** The account a login names and its throttle key; throws while the IP or the name is locked out. */
  private async loginTarget(
    username: string,
    ctx: AuthContext,
  ): Promise<{ account: Account | undefined; key: string }> {
    const account = await this.accounts.find(username);
    const key = account?.address ?? username.trim().toLowerCase();
    const locked = Math.max(ctx.ip === null ? 0 : this.byIp.lockedFor(ctx.ip), this.byAccount.lockedFor(key));
    if (locked > 0) {
      this.logFailure(username, ctx, 'locked-out');
      throw new AuthLockedError(locked);
    }
    return { account, key };
  }

  async authenticate(username: string, password: string, ctx: AuthContext): Promise<Account> {
    const { account, key } = await this.loginTarget(username, ctx);
    const { reason, cached } = await this.check(account, password);
    if (!reason) {
      this.byAccount.succeed(key);
      // Accounts whose password was set before SCRAM verifiers were kept get them now (a cached
      // login had a full one in this process before, which did this).
      if (!cached && !(await scramCredential(this.db, account!.id, 'SCRAM-SHA-256')))
        await setScramCredentials(this.db, account!.id, await scramCredentials(password));
      return account!;
    }
    this.fail(username, key, ctx, reason);
  }

  /**
   * The server's half of a SCRAM login (RFC 5802) after the client-first-message: the same
   * lockouts as `authenticate`, the stored verifier (a decoy for unknown accounts, so the reply
   * does not tell which names exist), then `finish` checks the client's proof.
   */
  async scram(
    exchange: ScramServer,
    ctx: AuthContext,
  ): Promise<{
    serverFirst: string;
    finish(clientFinal: string): Promise<{ account: Account; serverFinal: string }>;
  }> {
    const username = exchange.username;
    const { account, key } = await this.loginTarget(username, ctx);
    const stored = account && (await scramCredential(this.db, account.id, exchange.mechanism));
    const serverFirst = exchange.serverFirst(stored ?? decoyCredential(exchange.mechanism, key));
    return {
      serverFirst,
      finish: async (clientFinal) => {
        const serverFinal = exchange.clientFinal(clientFinal);
        const reason: AuthFailureReason | undefined = !account
          ? 'unknown-user'
          : !stored
            ? 'no-scram-verifier'
            : !serverFinal
              ? 'bad-password'
              : account.enabled
                ? undefined
                : 'disabled';
        if (reason || (exchange.authzid !== undefined && exchange.authzid.toLowerCase() !== key))
          this.fail(username, key, ctx, reason ?? 'bad-password');
        this.byAccount.succeed(key);
        return { account: account!, serverFinal: serverFinal! };
      },
    };
  }

  private fail(username: string, key: string, ctx: AuthContext, reason: AuthFailureReason): never {
    this.logFailure(username, ctx, reason);
    this.lockoutStarted('account', key, this.byAccount.fail(key));
    if (ctx.ip !== null) this.lockoutStarted('ip', ctx.ip, this.byIp.fail(ctx.ip));
    throw new AuthError(reason);
  }

  /** Why the password is refused, if it is; `cached` when a recent verification was reused. */
  private async check(
    account: Account | undefined,
    password: string,
  ): Promise<{ reason?: AuthFailureReason; cached?: boolean }> {
    if (!account) {
      // Costs as much as a real check, so timing does not tell which names exist.
      await verifyPassword(password, await decoyHash());
      return { reason: 'unknown-user' };
    }
    const hash = await passwordHash(this.db, account.id);
    if (!hash) return { reason: 'bad-password' };
    const cached = this.verified.matches(account.id, hash, password);
    if (!cached) {
      if (!(await verifyPassword(password, hash))) return { reason: 'bad-password' };
      this.verified.remember(account.id, hash, password);
    }
    this.cacheLookups.inc({ result: cached ? 'hit' : 'miss' });
    return { reason: account.enabled ? undefined : 'disabled', cached };
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

/** Salts for names without a verifier stay the same across attempts, as a real account's would. */
const DECOY_SECRET = randomBytes(32);

function decoyCredential(mechanism: string, key: string): ScramCredential {
  return {
    mechanism,
    salt: createHmac('sha256', DECOY_SECRET).update(`${mechanism}\0${key}`).digest().subarray(0, 16),
    iterations: SCRAM_ITERATIONS,
    storedKey: randomBytes(mechanism === 'SCRAM-SHA-1' ? 20 : 32),
    serverKey: randomBytes(32),
  };
}
