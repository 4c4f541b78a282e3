interface Limits {
  total: number;
  initial: number;
  max: number;
  deadMs: number;
}

/**
 * Outbound concurrency in Postfix's manner: a global connection limit and, per destination, a
 * window that starts at the initial concurrency, grows by one with each success up to the
 * limit, and falls back to the initial value after a failure. Destinations that failed to
 * connect are "dead" for a while, so their mail is deferred at once instead of holding slots.
 *
 * Waiters queue per destination and a release hands freed slots over directly, first come first
 * served: waking every waiter of every destination on each release (each to re-check and most
 * to wait again) cost a few percent of the server's CPU with 10 busy destinations.
 */
export class DestinationLimiter {
  private total = 0;
  private readonly active = new Map<string, number>();
  private readonly window = new Map<string, number>();
  private readonly deadUntil = new Map<string, number>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(
    private readonly limits: () => Limits,
    private readonly now: () => number = Date.now,
  ) {}

  isDead(dest: string): boolean {
    const until = this.deadUntil.get(dest);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.deadUntil.delete(dest);
    return false;
  }

  markDead(dest: string): void {
    this.deadUntil.set(dest, this.now() + this.limits().deadMs);
    this.window.set(dest, this.limits().initial);
  }

  private canStart(dest: string, l: Limits): boolean {
    return (
      this.total < l.total &&
      (this.active.get(dest) ?? 0) < Math.min(l.max, this.window.get(dest) ?? l.initial)
    );
  }

  private take(dest: string): void {
    this.total++;
    this.active.set(dest, (this.active.get(dest) ?? 0) + 1);
  }

  /** Resolves once a slot for `dest` is held; `release` gives it back. */
  acquire(dest: string): Promise<void> {
    if (!this.waiters.has(dest) && this.canStart(dest, this.limits())) {
      this.take(dest);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiters.get(dest);
      if (queue) queue.push(resolve);
      else this.waiters.set(dest, [resolve]);
    });
  }

  release(dest: string, success: boolean): void {
    const l = this.limits();
    this.total--;
    const n = (this.active.get(dest) ?? 1) - 1;
    if (n) this.active.set(dest, n);
    else this.active.delete(dest);
    const w = this.window.get(dest) ?? l.initial;
    this.window.set(dest, success ? Math.min(l.max, w + 1) : l.initial);
    this.handOver(dest, l);
    // A slot under the global limit may be what another destination's waiters need.
    for (const other of this.waiters.keys()) {
      if (this.total >= l.total) break;
      if (other !== dest) this.handOver(other, l);
    }
  }

  private handOver(dest: string, l: Limits): void {
    const queue = this.waiters.get(dest);
    while (queue?.length && this.canStart(dest, l)) {
      this.take(dest);
      queue.shift()!();
    }
    if (queue && !queue.length) this.waiters.delete(dest);
  }
}
