import type { Clock } from '../core/clock.js';

export interface ThrottleSettings {
  maxFailures: number;
  /** Failures older than this no longer count. */
  window: number;
  /** First lockout; each further one doubles, up to maxLockout. */
  lockout: number;
  maxLockout: number;
}

interface Entry {
  failures: number[];
  /** How many lockouts this key has had since it was last quiet; sets the next lockout's length. */
  lockouts: number;
  lockedUntil: number;
  lastFailure: number;
}

/** Entries beyond this are swept of the ones that have gone quiet, so a scan of many IPs cannot grow memory without bound. */
const SWEEP_AT = 10_000;

/**
 * Counts failed logins per key (a client IP, or an account) and locks the key out after
 * `maxFailures` within `window`, with a back-off that doubles per lockout. A key that stays
 * quiet for `maxLockout` (and the window) starts afresh. State lives in memory: one node's view.
 */
export class FailureThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: () => ThrottleSettings,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it is not locked out. */
  lockedFor(key: string): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lockedUntil - this.clock.now()) : 0;
  }

  /** Records a failure; returns the length of the lockout it started, or 0. */
  fail(key: string): number {
    const s = this.settings();
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (!e || this.isQuiet(e, now, s)) {
      e = { failures: [], lockouts: 0, lockedUntil: 0, lastFailure: now };
      this.entries.set(key, e);
      if (this.entries.size > SWEEP_AT) this.sweep(now, s);
    }
    e.lastFailure = now;
    e.failures = e.failures.filter((t) => t > now - s.window);
    e.failures.push(now);
    if (e.failures.length < s.maxFailures) return 0;
    const length = Math.min(s.maxLockout, s.lockout * 2 ** e.lockouts);
    e.lockouts++;
    e.lockedUntil = now + length;
    e.failures = [];
    return length;
  }

  /** A successful login clears the key's failures and back-off. */
  succeed(key: string): void {
    this.entries.delete(key);
  }

  private isQuiet(e: Entry, now: number, s: ThrottleSettings): boolean {
    return now >= e.lockedUntil && now - e.lastFailure > Math.max(s.window, s.maxLockout);
  }

  private sweep(now: number, s: ThrottleSettings): void {
    for (const [k, e] of this.entries) if (this.isQuiet(e, now, s)) this.entries.delete(k);
  }
}
