import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { readLines } from './line-reader.js';
import { listLogFiles } from './log-files.js';
import { domainOf, parseDeliveryLine, type DeliveryFact } from './delivery-fact.js';
import { DAY_MS, HOUR_MS } from './range-plan.js';

/** The dimensions with their own day rollup tables: `by_sender`, `by_recipient`, `by_auth`. */
export const ROLLUP_DIMS = ['sender', 'recipient', 'auth'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

/**
 * Schema of the summary. Names (addresses, domains) are interned to integers; 0 means none.
 * - `detail`: per hour, counts by every dimension at once; answers any combination of filters.
 * - `by_<dim>`: counts by one dimension per UTC day, small enough that a month's top senders
 *   sums a few hundred thousand rows. Each row written costs about the same, so there are no
 *   per-hour copies of these: whole hours at the edges of a range come from `detail`.
 * - `spans`: which bytes of which file hold each hour, to read the edges of a range raw.
 * - `files`: how far each file has been read, followed by inode across renames.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (id INTEGER PRIMARY KEY, path TEXT NOT NULL, dev INTEGER NOT NULL, ino INTEGER NOT NULL,
  offset INTEGER NOT NULL DEFAULT 0, first_ms INTEGER, last_ms INTEGER, UNIQUE (dev, ino));
CREATE TABLE IF NOT EXISTS names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, domain INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS names_domain ON names (domain);
CREATE TABLE IF NOT EXISTS spans (file INTEGER NOT NULL, hour INTEGER NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
  PRIMARY KEY (file, hour)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS detail (hour INTEGER NOT NULL, sender INTEGER NOT NULL, recipient INTEGER NOT NULL, auth INTEGER NOT NULL,
  kind INTEGER NOT NULL, result INTEGER NOT NULL, webmail INTEGER NOT NULL, n INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY (hour, sender, recipient, auth, kind, result, webmail)) WITHOUT ROWID;
${ROLLUP_DIMS.map(
  (d) => `CREATE TABLE IF NOT EXISTS by_${d} (day INTEGER NOT NULL, ${d} INTEGER NOT NULL,
  kind INTEGER NOT NULL, result INTEGER NOT NULL, webmail INTEGER NOT NULL, n INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY (day, ${d}, kind, result, webmail)) WITHOUT ROWID;`,
).join('\n')}
`;

/** Bytes read per transaction: bounds memory and how long another reader waits for the lock. */
const BATCH_BYTES = 64 * 1024 * 1024;

export interface IndexUpdate {
  lines: number;
  skipped: number;
  bytes: number;
}

/** A byte range of one log file. */
export interface FileSpan {
  path: string;
  start: number;
  stop: number;
}

/** Counts accumulated in memory for one batch, keyed by the row's key columns joined with commas. */
class Counts {
  readonly rows = new Map<string, [number, number]>();
  add(key: string, size: number): void {
    const r = this.rows.get(key);
    if (r) {
      r[0]++;
      r[1] += size;
    } else this.rows.set(key, [1, size]);
  }
  flush(stmt: Statement): void {
    for (const [key, [n, bytes]] of this.rows) stmt.run(...key.split(',').map(Number), n, bytes);
  }
}

/**
 * The delivery log's summary, kept in SQLite beside the log and brought up to date from each
 * file's last read offset. Every batch commits its counts together with the new offset, so a
 * crash or a second process updating at the same time never counts a line twice.
 */
export class DeliveryLogIndex {
  readonly db: Db;
  private readonly nameIds = new Map<string, number>();
  private readonly stmts: Record<string, Statement>;

  constructor(
    readonly logFile: string,
    indexPath: string,
  ) {
    mkdirSync(dirname(indexPath), { recursive: true });
    this.db = new Database(indexPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 30000');
    // Rollup upserts touch pages all over the B-trees; a small cache turns each into a read.
    this.db.pragma('cache_size = -262144');
    this.db.exec(SCHEMA);
    const upsertRollup = (table: string, keys: string[]) =>
      this.db.prepare(
        `INSERT INTO ${table} (${keys.join(', ')}, n, bytes) VALUES (${keys.map(() => '?').join(', ')}, ?, ?)
         ON CONFLICT (${keys.join(', ')}) DO UPDATE SET n = n + excluded.n, bytes = bytes + excluded.bytes`,
      );
    this.stmts = {
      detail: upsertRollup('detail', ['hour', 'sender', 'recipient', 'auth', 'kind', 'result', 'webmail']),
      ...Object.fromEntries(
        ROLLUP_DIMS.map((d) => [d, upsertRollup(`by_${d}`, ['day', d, 'kind', 'result', 'webmail'])]),
      ),
      span: this.db.prepare(
        `INSERT INTO spans (file, hour, start, stop) VALUES (?, ?, ?, ?)
         ON CONFLICT (file, hour) DO UPDATE SET start = min(start, excluded.start), stop = max(stop, excluded.stop)`,
      ),
      nameGet: this.db.prepare('SELECT id FROM names WHERE name = ?'),
      nameAdd: this.db.prepare('INSERT INTO names (name, domain) VALUES (?, ?)'),
      fileGet: this.db.prepare('SELECT id, path, offset FROM files WHERE dev = ? AND ino = ?'),
      fileAdd: this.db.prepare('INSERT INTO files (path, dev, ino) VALUES (?, ?, ?)'),
      fileMove: this.db.prepare('UPDATE files SET path = ? WHERE id = ?'),
      fileRead: this.db.prepare(
        `UPDATE files SET offset = ?, first_ms = min(coalesce(first_ms, ?), ?), last_ms = max(coalesce(last_ms, ?), ?) WHERE id = ?`,
      ),
    };
  }

  /** The id of a name, adding it (and its domain) when new. Ids are never reused. */
  intern(name: string): number {
    let id = this.nameIds.get(name);
    if (id !== undefined) return id;
    id = (this.stmts.nameGet!.get(name) as { id: number } | undefined)?.id;
    if (id === undefined) {
      const domain = domainOf(name);
      const domainId = domain === undefined ? 0 : this.intern(domain);
      id = Number(this.stmts.nameAdd!.run(name, domainId).lastInsertRowid);
    }
    this.nameIds.set(name, id);
    return id;
  }

  /** The id of a known name, or -1 (which matches nothing) for a name never seen. */
  lookup(name: string): number {
    return this.nameIds.get(name) ?? (this.stmts.nameGet!.get(name) as { id: number } | undefined)?.id ?? -1;
  }

  /** Reads whatever the log files gained since the last update; forgets files that are gone. */
  update(onProgress?: (done: number, total: number) => void): IndexUpdate {
    const files = listLogFiles(this.logFile);
    const out: IndexUpdate = { lines: 0, skipped: 0, bytes: 0 };
    const present = new Set(files.map((f) => `${f.dev}:${f.ino}`));
    const known = this.db.prepare('SELECT id, dev, ino FROM files').all() as {
      id: number;
      dev: number;
      ino: number;
    }[];
    const gone = known.filter((k) => !present.has(`${k.dev}:${k.ino}`));
    if (gone.length) {
      this.db
        .transaction(() => {
          for (const g of gone) {
            this.db.prepare('DELETE FROM spans WHERE file = ?').run(g.id);
            this.db.prepare('DELETE FROM files WHERE id = ?').run(g.id);
          }
        })
        .immediate();
    }
    const total = files.reduce((s, f) => s + f.size, 0);
    let done = 0;
    for (const f of files) {
      for (;;) {
        const before = out.bytes;
        const more = this.db.transaction(() => this.readBatch(f.path, f.dev, f.ino, f.size, out)).immediate();
        done += out.bytes - before;
        onProgress?.(done, total);
        if (!more) break;
      }
    }
    return out;
  }

  /** One transaction's worth of one file; true when there is more to read. */
  private readBatch(path: string, dev: number, ino: number, size: number, out: IndexUpdate): boolean {
    let row = this.stmts.fileGet!.get(dev, ino) as { id: number; path: string; offset: number } | undefined;
    if (!row) {
      this.stmts.fileAdd!.run(path, dev, ino);
      row = this.stmts.fileGet!.get(dev, ino) as { id: number; path: string; offset: number };
    } else if (row.path !== path) this.stmts.fileMove!.run(path, row.id);
    // A file that shrank was truncated in place: its old spans point at bytes that are gone.
    if (size < row.offset) {
      this.db.prepare('DELETE FROM spans WHERE file = ?').run(row.id);
      this.db.prepare('UPDATE files SET offset = 0 WHERE id = ?').run(row.id);
      row.offset = 0;
    }
    if (size <= row.offset) return false;
    const end = Math.min(size, row.offset + BATCH_BYTES);
    const detail = new Counts();
    const dims = Object.fromEntries(ROLLUP_DIMS.map((d) => [d, new Counts()])) as Record<RollupDim, Counts>;
    const spans = new Map<number, [number, number]>();
    let first = Infinity;
    let last = -Infinity;
    const add = (f: DeliveryFact, lineStart: number, lineEnd: number) => {
      const hour = Math.floor(f.time / HOUR_MS);
      const day = Math.floor(f.time / DAY_MS);
      const ids = {
        sender: this.intern(f.sender),
        recipient: this.intern(f.recipient),
        auth: f.auth === null ? 0 : this.intern(f.auth),
      };
      const cls = `${f.kind},${f.result},${f.webmail}`;
      detail.add(`${hour},${ids.sender},${ids.recipient},${ids.auth},${cls}`, f.size);
      for (const d of ROLLUP_DIMS) {
        if (ids[d] === 0) continue;
        dims[d].add(`${day},${ids[d]},${cls}`, f.size);
      }
      const s = spans.get(hour);
      if (s) {
        s[0] = Math.min(s[0], lineStart);
        s[1] = Math.max(s[1], lineEnd);
      } else spans.set(hour, [lineStart, lineEnd]);
      if (f.time < first) first = f.time;
      if (f.time > last) last = f.time;
    };
    const stop = readLines(path, row.offset, end, (line, lineStart, lineEnd) => {
      const parsed = parseDeliveryLine(line);
      if (parsed) {
        out.lines++;
        add(parsed.fact, lineStart, lineEnd);
      } else if (line.trim()) out.skipped++;
    });
    detail.flush(this.stmts.detail!);
    for (const d of ROLLUP_DIMS) dims[d].flush(this.stmts[d]!);
    for (const [hour, [a, b]] of spans) this.stmts.span!.run(row.id, hour, a, b);
    const firstMs = Number.isFinite(first) ? first : null;
    const lastMs = Number.isFinite(last) ? last : null;
    this.stmts.fileRead!.run(stop, firstMs, firstMs, lastMs, lastMs, row.id);
    out.bytes += stop - row.offset;
    return stop > row.offset && stop < size;
  }

  /** The time of the oldest and newest record still in a log file, or null when there are none. */
  coverage(): { oldest: number | null; newest: number | null } {
    const r = this.db.prepare('SELECT min(first_ms) AS oldest, max(last_ms) AS newest FROM files').get() as {
      oldest: number | null;
      newest: number | null;
    };
    return r;
  }

  /** The byte ranges holding the given hours, merged per file, in file order. */
  spansOf(hours: number[]): FileSpan[] {
    if (!hours.length) return [];
    const rows = this.db
      .prepare(
        `SELECT f.path, s.start, s.stop FROM spans s JOIN files f ON f.id = s.file
         WHERE s.hour IN (SELECT value FROM json_each(?)) ORDER BY f.id, s.start`,
      )
      .all(JSON.stringify(hours)) as FileSpan[];
    const merged: FileSpan[] = [];
    for (const r of rows) {
      const prev = merged.at(-1);
      if (prev && prev.path === r.path && r.start <= prev.stop) prev.stop = Math.max(prev.stop, r.stop);
      else merged.push({ ...r });
    }
    return merged;
  }

  /** Drops summary rows wholly older than `ms` (after retention removed the files behind them). */
  purgeBefore(ms: number): void {
    const hour = Math.floor(ms / HOUR_MS);
    const day = Math.floor(ms / DAY_MS);
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM detail WHERE hour < ?').run(hour);
        for (const d of ROLLUP_DIMS) {
          this.db.prepare(`DELETE FROM by_${d} WHERE day < ?`).run(day);
        }
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }
}
