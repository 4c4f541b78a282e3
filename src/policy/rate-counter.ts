interface Window {
  start: number;
  count: number;
  previous: number;
}

/**
 * Events per key over a sliding window, approximated by two fixed windows weighted by overlap
 * (constant memory per key). Keys idle for two windows are forgotten.
 */
export class RateCounter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(private readonly windowMs: number) {}

  /** Counts `n` events for `key` at `now`; returns the rate including them. */
  hit(key: string, now: number, n = 1): number {
    const w = this.roll(key, now);
    w.count += n;
    return this.rate(w, now);
  }

  /** The current rate without counting anything. */
  peek(key: string, now: number): number {
    const w = this.windows.get(key);
    return w ? this.rate(this.roll(key, now), now) : 0;
  }

  private roll(key: string, now: number): Window {
    this.sweep(now);
    let w = this.windows.get(key);
    const start = now - (now % this.windowMs);
    if (!w) {
      w = { start, count: 0, previous: 0 };
      this.windows.set(key, w);
    } else if (w.start !== start) {
      w.previous = start - w.start === this.windowMs ? w.count : 0;
      w.count = 0;
      w.start = start;
    }
    return w;
  }

  private rate(w: Window, now: number): number {
    const into = (now - w.start) / this.windowMs;
    return w.count + w.previous * (1 - into);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (now - w.start > 2 * this.windowMs) this.windows.delete(k);
  }
}
