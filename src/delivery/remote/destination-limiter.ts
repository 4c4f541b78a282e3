/**
 * Outbound concurrency in Postfix's manner: a global connection limit and, per destination, a
 * window that starts at the initial concurrency, grows by one with each success up to the
 * limit, and falls back to the initial value after a failure. Destinations that failed to
 * connect are "dead" for a while, so their mail is deferred at once instead of holding slots.
 */
export class DestinationLimiter {
  private total = 0;
  private readonly active = new Map<string, number>();
  private readonly window = new Map<string, number>();
  private readonly deadUntil = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly limits: () => { total: number; initial: number; max: number; deadMs: number },
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

  private canStart(dest: string): boolean {
    const l = this.limits();
    return (
      this.total < l.total &&
      (this.active.get(dest) ?? 0) < Math.min(l.max, this.window.get(dest) ?? l.initial)
    );
  }

  async acquire(dest: string): Promise<void> {
    while (!this.canStart(dest)) await new Promise<void>((r) => this.waiters.push(r));
    this.total++;
    this.active.set(dest, (this.active.get(dest) ?? 0) + 1);
  }

  release(dest: string, success: boolean): void {
    this.total--;
    const n = (this.active.get(dest) ?? 1) - 1;
    if (n) this.active.set(dest, n);
    else this.active.delete(dest);
    const l = this.limits();
    const w = this.window.get(dest) ?? l.initial;
    this.window.set(dest, success ? Math.min(l.max, w + 1) : l.initial);
    for (const w of this.waiters.splice(0)) w();
  }
}
