import type { Logger } from '../log/logger.js';
import type { ScanCount, ScanCountRepo, Scanner } from '../store/spam/scan-count-repo.js';

const HOUR_MS = 3_600_000;
const FLUSH_MS = 60_000;

/**
 * How many messages each scanner passed or stopped, per hour, kept for the dashboard's graphs.
 * Counted in memory and written once a minute (and at shutdown): a write per message would add
 * a commit to every SMTP transaction, and a crash costing at most a minute of statistics is
 * the better trade. Readers see the unwritten counts too.
 */
export class ScanCounts {
  private pending = new Map<string, ScanCount>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: ScanCountRepo,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(scanner: Scanner, result: string): void {
    const hour = Math.floor(this.now() / HOUR_MS);
    const k = `${hour} ${scanner} ${result}`;
    const c = this.pending.get(k);
    if (c) c.n++;
    else this.pending.set(k, { hour, scanner, result, n: 1 });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.repo.add(batch);
    } catch (e) {
      // Kept for the next flush rather than lost.
      for (const c of batch) {
        const k = `${c.hour} ${c.scanner} ${c.result}`;
        const p = this.pending.get(k);
        if (p) p.n += c.n;
        else this.pending.set(k, c);
      }
      this.log.warn({ event: 'scan_counts_flush_failed', err: (e as Error).message });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Per hour of the last `hours` (oldest first): each scanner's count per result. */
  async series(
    hours: number,
  ): Promise<{ from: number; spam: Record<string, number>; virus: Record<string, number> }[]> {
    const end = Math.floor(this.now() / HOUR_MS) + 1;
    const start = end - hours;
    const out = Array.from({ length: hours }, (_, i) => ({
      from: (start + i) * HOUR_MS,
      spam: {} as Record<string, number>,
      virus: {} as Record<string, number>,
    }));
    for (const c of [...(await this.repo.between(start, end)), ...this.pending.values()]) {
      const slot = out[c.hour - start];
      if (slot) slot[c.scanner][c.result] = (slot[c.scanner][c.result] ?? 0) + c.n;
    }
    return out;
  }
}
