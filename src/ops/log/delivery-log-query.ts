import { basename, dirname, extname, join } from 'node:path';
import type { Config } from '../../config/config.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { DeliveryRecord } from '../../log/delivery-record.js';
import { FactReader, parseDeliveryLine, KIND, RESULT, type DeliveryFact } from './delivery-fact.js';
import { readLines } from './line-reader.js';
import { DeliveryLogIndex, type IndexUpdate } from './log-index.js';
import { pruneDeliveryLogs, rotateDeliveryLog } from './log-files.js';
import {
  reportColumns,
  rowTest,
  statsReport,
  topReport,
  type Context,
  type FilterIds,
  type Row,
} from './report.js';
import { classOf, DetailBuilder } from './segment.js';
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
    return this.table(reportColumns('top', subject), q, (ctx, f, inDomain) =>
      topReport(ctx, subject, f, inDomain, q),
    );
  }

  stats(subject: StatsSubject, q: TableQuery): LogTable {
    return this.table(reportColumns('stats', subject), q, (ctx, f, inDomain) =>
      statsReport(ctx, subject, f, inDomain, q),
    );
  }

  /** The attempts themselves, oldest first. */
  show(q: ShowQuery): LogListing {
    const { meta, ids } = this.prepare(q.range, q.filters, q.result);
    const { from, to } = meta.range;
    const test = rowTest(ids, true, this.domainTest(ids.domain)).test ?? (() => true);
    // Hours with at least one matching summary row; the rest need not be read at all.
    const hours: number[] = [];
    for (const seg of this.index.segments('detail', 'hour', [
      Math.floor(from / HOUR_MS),
      Math.ceil(to / HOUR_MS),
    ])) {
      if (hours.at(-1) === seg.bucket) continue;
      const { sender, recipient, auth } = seg.ids;
      for (let i = 0; i < seg.length; i++) {
        if (test(sender ? sender[i]! : 0, recipient ? recipient[i]! : 0, auth ? auth[i]! : 0, seg.cls[i]!)) {
          hours.push(seg.bucket);
          break;
        }
      }
    }
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity;
    const records: DeliveryRecord[] = [];
    // A line can match a sender or recipient filter only if its text holds that address: looking
    // for it first spares reading other people's lines (a line with JSON escapes goes the long
    // way). Lines that pass are read by the one-pass reader; only matches are parsed in full.
    const needles = [q.filters?.sender, q.filters?.recipient].flatMap((v) =>
      v === undefined ? [] : [v.trim().toLowerCase()],
    );
    const mayHold = (line: string) => {
      if (!needles.length || line.indexOf('\\') >= 0) return true;
      const lower = line.toLowerCase();
      return needles.every((n) => lower.includes(n));
    };
    const reader = new FactReader();
    // Hour by hour, because every record of an hour lies within that hour's spans: once the limit
    // is reached at the end of an hour, no later hour can hold an earlier record.
    for (const hour of hours) {
      const start = Math.max(from, hour * HOUR_MS);
      const stop = Math.min(to, (hour + 1) * HOUR_MS);
      const hourRecords: { time: number; record: DeliveryRecord }[] = [];
      const inside = (t: number) => t >= start && t < stop;
      this.readRaw([hour], (line) => {
        if (!mayHold(line)) return;
        const f = reader.read(line);
        if (!f || !inside(f.time) || !test(...this.factIds(f), classOf(f.kind, f.result, f.webmail))) return;
        const p = parseDeliveryLine(line);
        if (p) hourRecords.push({ time: p.fact.time, record: p.record });
      });
      hourRecords.sort((a, b) => a.time - b.time);
      records.push(...hourRecords.map((h) => h.record));
      if (records.length >= limit) break;
    }
    return { ...meta, records: records.slice(0, limit), truncated: records.length > limit };
  }

  close(): void {
    this.index.close();
  }

  /**
   * What `top(subject)` counts in total, for each of `ranges` (the dashboard's hourly graph): the index
   * is brought up to date once for all of them, not once per range.
   */
  totals(subject: TopSubject, ranges: TimeRange[], filters?: LogFilters): number[] {
    if (!ranges.length) return [];
    const { ids } = this.prepare({ from: ranges[0]!.from, to: ranges.at(-1)!.to }, filters);
    const inDomain = this.domainTest(ids.domain);
    return ranges.map((range) =>
      this.rows(range, (ctx) => topReport(ctx, subject, ids, inDomain, { limit: 0 })).reduce(
        (n, r) => n + Number(r.total ?? 0),
        0,
      ),
    );
  }

  private table(
    columns: string[],
    q: TableQuery,
    build: (ctx: Context, f: FilterIds, inDomain: (id: number) => boolean) => Row[],
  ): LogTable {
    const { meta, ids } = this.prepare(q.range, q.filters);
    const inDomain = this.domainTest(ids.domain);
    return { ...meta, columns, rows: this.rows(meta.range, (ctx) => build(ctx, ids, inDomain)) };
  }

  /** Rows of a report over the range: the index's rollups plus the raw log lines at its ragged edges. */
  private rows(range: TimeRange, build: (ctx: Context) => Row[]): Row[] {
    const plan = planRange(range.from, range.to);
    const raw = new DetailBuilder();
    const reader = new FactReader();
    this.readRaw(
      plan.raw.map(([a]) => Math.floor(a / HOUR_MS)),
      (line) => {
        const f = reader.read(line);
        if (f && plan.raw.some(([a, b]) => f.time >= a && f.time < b))
          raw.add(...this.factIds(f), classOf(f.kind, f.result, f.webmail), 1, f.size);
      },
    );
    return build({ index: this.index, raw: raw.segment(), plan, idSpace: this.index.maxNameId() + 1 });
  }

  /** The ids of a fact's sender, recipient and submitting account (0 for none). */
  private factIds(f: DeliveryFact): [number, number, number] {
    return [
      this.index.lookup(f.sender),
      this.index.lookup(f.recipient),
      f.auth === null ? 0 : this.index.lookup(f.auth),
    ];
  }

  /** Whether a name id belongs to the filtered domain (by id; -1 or none matches nothing). */
  private domainTest(domain: number | undefined): (id: number) => boolean {
    if (domain === undefined || domain < 0) return () => false;
    const members = new Set(this.index.domainMembers(domain));
    return (id) => members.has(id);
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

  /** Calls `visit` with every line of the log bytes that hold the given hours. */
  private readRaw(hours: number[], visit: (line: string) => void): void {
    for (const span of this.index.spansOf(hours)) readLines(span.path, span.start, span.stop, visit);
  }
}
