import { basename, dirname, extname, join } from 'node:path';
import type { Config } from '../../config/config.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { DeliveryRecord } from '../../log/delivery-record.js';
import { parseDeliveryLine, KIND, RESULT, type DeliveryFact } from './delivery-fact.js';
import { readLines } from './line-reader.js';
import { DeliveryLogIndex, type IndexUpdate } from './log-index.js';
import { pruneDeliveryLogs, rotateDeliveryLog } from './log-files.js';
import { recordConditions, reportColumns, statsSql, topSql, type FilterIds, type Sql } from './query-sql.js';
import type {
  AnswerMeta,
  LogFilters,
  LogListing,
  LogTable,
  ShowQuery,
  StatsSubject,
  TableQuery,
  TopSubject,
} from './query-types.js';
import { HOUR_MS, planRange } from './range-plan.js';
import type { TimeRange } from './time-expression.js';

/** The summary database kept beside the log: `log/delivery.jsonl` → `log/delivery-index.sqlite`. */
export function indexPathFor(logFile: string): string {
  return join(dirname(logFile), `${basename(logFile, extname(logFile))}-index.sqlite`);
}

export interface MaintenanceResult {
  rotated: string | undefined;
  removed: string[];
}

/**
 * Questions about the delivery log — what happened, who sends and receives most, per-user and
 * per-domain totals — answered from the rollup index plus the raw bytes at the edges of the range.
 * The CLI (`mailstead log`) and the admin UI both call this. Every query first reads what the log
 * gained since the last one, so answers are current to the last line written.
 */
export class DeliveryLogQuery {
  private readonly index: DeliveryLogIndex;

  constructor(
    readonly logFile: string,
    indexPath = indexPathFor(logFile),
    private readonly clock: Clock = systemClock,
  ) {
    this.index = new DeliveryLogIndex(logFile, indexPath);
    this.index.db
      .exec(`CREATE TEMP TABLE IF NOT EXISTS raw (seq INTEGER, sender INTEGER, recipient INTEGER, auth INTEGER,
      kind INTEGER, result INTEGER, webmail INTEGER, n INTEGER, bytes INTEGER)`);
  }

  static open(config: Config, clock: Clock = systemClock): DeliveryLogQuery {
    const file = config.path('log.delivery_file');
    return new DeliveryLogQuery(file, indexPathFor(file), clock);
  }

  /** Brings the index up to date with the log; queries do this themselves. */
  refresh(onProgress?: (done: number, total: number) => void): IndexUpdate {
    return this.index.update(onProgress);
  }

  /** The oldest and newest attempt still in the logs kept. */
  coverage(): { oldest: number | null; newest: number | null } {
    return this.index.coverage();
  }

  /**
   * Rotation and retention: renames the log when it has outgrown `rotateBytes` (or `force`),
   * deletes rotated files older than `retentionMs`, and drops their rows from the summary.
   */
  maintain(rotateBytes: number, retentionMs: number, force = false): MaintenanceResult {
    const now = this.clock.now();
    this.index.update();
    const rotated = rotateDeliveryLog(this.logFile, rotateBytes, now, force);
    const removed = pruneDeliveryLogs(this.logFile, retentionMs, now);
    this.index.update();
    const { oldest } = this.index.coverage();
    if (removed.length && oldest !== null) this.index.purgeBefore(oldest);
    return { rotated, removed };
  }

  top(subject: TopSubject, q: TableQuery): LogTable {
    return this.table(reportColumns('top', subject), q, (f, plan) => topSql(subject, f, plan, q));
  }

  stats(subject: StatsSubject, q: TableQuery): LogTable {
    return this.table(reportColumns('stats', subject), q, (f, plan) => statsSql(subject, f, plan, q));
  }

  /** The attempts themselves, oldest first. */
  show(q: ShowQuery): LogListing {
    const { meta, ids } = this.prepare(q.range, q.filters, q.result);
    const { from, to } = meta.range;
    const where = recordConditions(ids, true);
    const hours = (
      this.index.db
        .prepare(
          `SELECT DISTINCT hour FROM detail WHERE hour >= ? AND hour < ? AND ${where.text} ORDER BY hour`,
        )
        .all(Math.floor(from / HOUR_MS), Math.ceil(to / HOUR_MS), ...where.params) as { hour: number }[]
    ).map((r) => r.hour);
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity;
    const records: DeliveryRecord[] = [];
    // Hour by hour, because every record of an hour lies within that hour's spans: once the limit
    // is reached at the end of an hour, no later hour can hold an earlier record.
    for (const hour of hours) {
      const start = Math.max(from, hour * HOUR_MS);
      const stop = Math.min(to, (hour + 1) * HOUR_MS);
      const found = this.loadRaw([[start, stop]], [hour]);
      const keep = this.index.db
        .prepare(`SELECT seq FROM temp.raw WHERE ${where.text} ORDER BY seq`)
        .all(...where.params) as { seq: number }[];
      const hourRecords = keep.map((k) => found[k.seq]!);
      hourRecords.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
      records.push(...hourRecords);
      if (records.length >= limit) break;
    }
    return { ...meta, records: records.slice(0, limit), truncated: records.length > limit };
  }

  close(): void {
    this.index.close();
  }

  private table(
    columns: string[],
    q: TableQuery,
    build: (f: FilterIds, plan: ReturnType<typeof planRange>) => Sql,
  ): LogTable {
    const { meta, ids } = this.prepare(q.range, q.filters);
    const plan = planRange(meta.range.from, meta.range.to);
    this.loadRaw(
      plan.raw,
      plan.raw.map(([a]) => Math.floor(a / HOUR_MS)),
    );
    const sql = build(ids, plan);
    const rows = this.index.db.prepare(sql.text).all(...sql.params) as Record<string, string | number>[];
    return { ...meta, columns, rows };
  }

  /** Updates the index, clamps the range to the logs kept (with the warning), resolves names to ids. */
  private prepare(
    range: TimeRange,
    filters: LogFilters = {},
    result?: ShowQuery['result'],
  ): { meta: AnswerMeta; ids: FilterIds } {
    this.index.update();
    const { oldest } = this.index.coverage();
    const meta: AnswerMeta = { range: { ...range } };
    if (oldest === null) meta.warning = `We have no delivery logs yet (${this.logFile})`;
    else if (range.from < oldest) {
      meta.warning = `We only have logs dating back to ${new Date(oldest).toISOString()}`;
      meta.range.from = Math.min(oldest, range.to);
    }
    const name = (v: string | undefined) =>
      v === undefined ? undefined : this.index.lookup(v.trim().toLowerCase());
    const ids: FilterIds = {
      sender: name(filters.sender),
      recipient: name(filters.recipient),
      user: name(filters.user),
      domain: name(filters.domain),
      webmailOnly: filters.webmailOnly,
      kind: filters.flavour === undefined || filters.flavour === 'both' ? undefined : KIND[filters.flavour],
      result: result === undefined ? undefined : RESULT[result],
    };
    return { meta, ids };
  }

  /**
   * Fills `temp.raw` with the attempts in the given ranges, read from the log bytes of the given
   * hours; returns the records by their `seq`.
   */
  private loadRaw(ranges: [number, number][], hours: number[]): DeliveryRecord[] {
    const db = this.index.db;
    const records: DeliveryRecord[] = [];
    const insert = db.prepare('INSERT INTO temp.raw VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)');
    const inRange = (f: DeliveryFact) => ranges.some(([a, b]) => f.time >= a && f.time < b);
    db.transaction(() => {
      db.exec('DELETE FROM temp.raw');
      for (const span of this.index.spansOf(hours)) {
        readLines(span.path, span.start, span.stop, (line) => {
          const p = parseDeliveryLine(line);
          if (!p || !inRange(p.fact)) return;
          const f = p.fact;
          const auth = f.auth === null ? 0 : this.index.lookup(f.auth);
          insert.run(
            records.length,
            this.index.lookup(f.sender),
            this.index.lookup(f.recipient),
            auth,
            f.kind,
            f.result,
            f.webmail,
            f.size,
          );
          records.push(p.record);
        });
      }
    })();
    return records;
  }
}
