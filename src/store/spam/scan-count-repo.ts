import type { SqlDb } from '../sql.js';

export type Scanner = 'spam' | 'virus';

/** Messages one scanner gave one result in one hour (`hour` = epoch ms / 3 600 000). */
export interface ScanCount {
  hour: number;
  scanner: Scanner;
  result: string;
  n: number;
}

/** Hourly scan result counts, added to in batches (one write a minute, not one per message). */
export class ScanCountRepo {
  constructor(private readonly db: SqlDb) {}

  async add(counts: readonly ScanCount[]): Promise<void> {
    if (!counts.length) return;
    await this.db.tx(async (tx) => {
      for (const c of counts)
        await tx.run(
          `INSERT INTO scan_counts (hour, scanner, result, n) VALUES (?, ?, ?, ?)
           ON CONFLICT (hour, scanner, result) DO UPDATE SET n = scan_counts.n + excluded.n`,
          [c.hour, c.scanner, c.result, c.n],
        );
    });
  }

  /** Counts of the hours in [fromHour, toHour). */
  async between(fromHour: number, toHour: number): Promise<ScanCount[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT hour, scanner, result, n FROM scan_counts WHERE hour >= ? AND hour < ? ORDER BY hour',
      [fromHour, toHour],
    );
    return rows.map((r) => ({
      hour: Number(r.hour),
      scanner: r.scanner as Scanner,
      result: String(r.result),
      n: Number(r.n),
    }));
  }
}
