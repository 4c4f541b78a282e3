import { pino } from 'pino';
import type { Clock } from '../../src/core/clock.js';
import { Directory } from '../../src/directory/directory.js';
import { Metrics } from '../../src/metrics/metrics.js';
import type { SqlDb } from '../../src/store/sql.js';
import type { TestBackend } from '../store/backends.js';

export interface TestDirectory {
  directory: Directory;
  db: SqlDb;
  metrics: Metrics;
  /** Every server log event, parsed. */
  logs: Record<string, unknown>[];
  /** Another Directory on the same store, as a CLI process would have. */
  other(): Directory;
}

/** A Directory over a fresh store of `backend`, with captured logs and a settable clock. */
export async function openDirectory(
  backend: TestBackend,
  opts: { clock?: Clock; settings?: Record<string, string> } = {},
): Promise<TestDirectory> {
  const db = await backend.db();
  const config = await backend.config(opts.settings);
  const logs: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info', base: undefined },
    { write: (s: string) => logs.push(JSON.parse(s) as Record<string, unknown>) },
  );
  const metrics = new Metrics(false);
  const directory = new Directory(db, config, log, metrics, opts.clock);
  return {
    directory,
    db,
    metrics,
    logs,
    other: () => new Directory(db, config, pino({ level: 'silent' }), new Metrics(false)),
  };
}

/** A clock tests move by hand. */
export function manualClock(start = 1_800_000_000_000): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
